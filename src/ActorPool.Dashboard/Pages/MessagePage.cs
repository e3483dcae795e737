namespace ActorPool.Dashboard.Pages;

/// <summary>A page that only says something: a task or pool not found, an action refused by the pool.</summary>
internal static class MessagePage
{
    public static string Render(PageContext page, string title, string message, string backUrl, string backText)
    {
        var html = new Html();
        html.Raw("<h1>").Text(title).Raw("</h1><p class=\"flash\" id=\"message\" role=\"alert\">").Text(message).Raw("</p>");
        html.Raw("<p><a id=\"back\" href=\"").Text(backUrl).Raw("\">").Text(backText).Raw("</a></p>");
        return Layout.Render(page, title, html);
    }
}
