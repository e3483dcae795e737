using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace ActorPool.Dashboard.Pages;

/// <summary>
/// Builds a page. Every value from a pool (error messages, payloads, keys, names) goes through
/// <see cref="Text"/>, which encodes it, so nothing a task carries can become markup.
/// </summary>
internal sealed class Html
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    // Encodes markup characters only, so names and messages in any script stay readable in the source.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly StringBuilder _sb = new(4096);

    /// <summary>Appends trusted markup written in this assembly.</summary>
    public Html Raw(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    /// <summary>Appends a value as text: HTML-encoded (safe in element content and in quoted attributes).</summary>
    public Html Text(object? value)
    {
        _sb.Append(Encode(value));
        return this;
    }

    /// <summary>A value as encoded text, for an attribute or a cell.</summary>
    public static string Encode(object? value) => value switch
    {
        null => string.Empty,
        IFormattable f => Encoder.Encode(f.ToString(null, C)),
        _ => Encoder.Encode(value.ToString() ?? string.Empty),
    };

    /// <summary>A duration as people read it: µs, ms or s.</summary>
    public static string Duration(TimeSpan value) => value.TotalMilliseconds switch
    {
        0 => "0",
        < 1 => string.Create(C, $"{value.TotalMicroseconds:F0} µs"),
        < 10_000 => string.Create(C, $"{value.TotalMilliseconds:F1} ms"),
        _ => string.Create(C, $"{value.TotalSeconds:F1} s"),
    };

    /// <summary>The outcome as the filter and the figures spell it.</summary>
    public static string Outcome(TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.TimedOut => "timed-out",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    /// <summary>A form that posts to <paramref name="action"/> with the antiforgery token; <paramref name="fields"/> is trusted markup.</summary>
    public Html Form(string action, string antiforgeryField, string antiforgeryToken, string fields, string buttonId, string buttonText)
    {
        Raw("<form method=\"post\" action=\"").Text(action).Raw("\">");
        Raw("<input type=\"hidden\" name=\"").Text(antiforgeryField).Raw("\" value=\"").Text(antiforgeryToken).Raw("\">");
        Raw(fields);
        Raw("<button type=\"submit\" id=\"").Text(buttonId).Raw("\">").Text(buttonText).Raw("</button></form>");
        return this;
    }

    public override string ToString() => _sb.ToString();
}
