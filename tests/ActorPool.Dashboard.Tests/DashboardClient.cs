using System.Net;
using System.Text.RegularExpressions;

namespace ActorPool.Dashboard.Tests;

/// <summary>An HTTP client for the dashboard that keeps cookies (the antiforgery one) and does not follow redirects, so a test sees each answer.</summary>
internal sealed partial class DashboardClient : IDisposable
{
    private readonly HttpClient _http;

    public DashboardClient(DashboardHost host)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = host.Address,
            Timeout = TestSignals.Patience,
        };
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Loads <paramref name="page"/>, then posts its form for <paramref name="action"/> with the page's antiforgery token, as a browser would.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string page, string action, IDictionary<string, string>? fields = null)
    {
        var (status, html) = await GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, status);
        var token = TokenField().Match(html);
        Assert.True(token.Success, $"no antiforgery field on {page}");
        var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string>()) { [token.Groups["name"].Value] = WebUtility.HtmlDecode(token.Groups["value"].Value) };
        return await PostAsync(action, form);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, IDictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        return await _http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex TokenField();
}
