using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ActorPool.Cli.Commands;

/// <summary>
/// Numeric and duration options that parse their own text, so a bad value (not a number,
/// negative, out of range) is one parse error naming the option, the allowed range and the value
/// as typed, never an exception from a validator reading a value that did not convert.
/// </summary>
internal static class NumericOption
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min, int max, params string[] aliases) =>
        Int(name, description, defaultValue, _ => min, max, aliases);

    /// <summary>
    /// A whole number whose lowest allowed value depends on the rest of the command line (with
    /// <c>--cluster</c>, <c>run --workers 0</c> means "submit only"; without it, a pool needs a worker).
    /// </summary>
    public static Option<int> Int(string name, string description, int defaultValue, Func<ArgumentResult, int> min, int max, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseInt(r, name, min(r), max),
        };

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>] that must be given: it has no sensible default.</summary>
    public static Option<int> RequiredInt(string name, string description, int min, int max) =>
        new(name)
        {
            Description = description,
            Required = true,
            CustomParser = r => ParseInt(r, name, min, max),
        };

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<double> Double(string name, string description, double defaultValue, double min, double max, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => Parse<double>(r, name, string.Create(Invariant, $"a number from {min:#,0.###} to {max:#,0.###}"), text =>
                double.TryParse(text, NumberStyles.Float, Invariant, out var value) && double.IsFinite(value) && value >= min && value <= max ? value : (double?)null),
        };

    /// <summary>A duration above zero and below <paramref name="max"/>: 500ms, 30s, 2m, 1h, a number of seconds, or hh:mm:ss.</summary>
    /// <remarks>
    /// No <c>DefaultValueFactory</c>: help would print it as 00:00:30, and System.CommandLine 3.0
    /// offers no public way to format a default. The default is in the description, as the
    /// parser reads it, and <see cref="ValueOr"/> applies it.
    /// </remarks>
    public static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue, TimeSpan max) =>
        new(name)
        {
            Description = $"{description} [default: {Format(defaultValue)}]",
            CustomParser = r => Parse<TimeSpan>(r, name, $"a duration above 0 and below {Format(max)} such as 500ms, 30s or 2m", text =>
                TryParseDuration(text, out var value) && value > TimeSpan.Zero && value < max ? value : null),
        };

    /// <summary>The option's value when given, else <paramref name="defaultValue"/>.</summary>
    public static T ValueOr<T>(ParseResult parse, Option<T> option, T defaultValue) =>
        parse.GetResult(option) is null ? defaultValue : parse.GetValue(option)!;

    /// <summary>How help shows a duration's default: as the parser reads it (30s), not as <see cref="TimeSpan.ToString()"/> (00:00:30).</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => string.Create(Invariant, $"{value.TotalMilliseconds:0.###}ms"),
        { TotalSeconds: < 60 } or { Seconds: not 0 } => string.Create(Invariant, $"{value.TotalSeconds:0.###}s"),
        { TotalMinutes: < 60 } or { Minutes: not 0 } => string.Create(Invariant, $"{value.TotalMinutes:0.###}m"),
        { TotalHours: < 24 } or { Hours: not 0 } => string.Create(Invariant, $"{value.TotalHours:0.###}h"),
        _ => string.Create(Invariant, $"{value.TotalDays:0.###} day{(value.TotalDays == 1 ? string.Empty : "s")}"),
    };

    /// <summary>Parses 30s, 500ms, 2m, 1h, a bare number of seconds, or hh:mm:ss.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, Invariant, out var amount)
                && double.IsFinite(amount) && Math.Abs(amount * seconds) < TimeSpan.MaxValue.TotalSeconds)
            {
                value = TimeSpan.FromSeconds(amount * seconds);
                return true;
            }
        }

        if (double.TryParse(text, NumberStyles.Float, Invariant, out var plain) && double.IsFinite(plain) && Math.Abs(plain) < TimeSpan.MaxValue.TotalSeconds)
        {
            value = TimeSpan.FromSeconds(plain);
            return true;
        }

        return TimeSpan.TryParse(text, Invariant, out value);
    }

    private static int ParseInt(ArgumentResult result, string name, int min, int max) =>
        Parse<int>(result, name, string.Create(Invariant, $"a whole number from {min:N0} to {max:N0}"), text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, Invariant, out var value) && value >= min && value <= max ? value : null);

    private static T Parse<T>(ArgumentResult result, string name, string expected, Func<string, T?> parse)
        where T : struct
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (parse(text) is { } value)
        {
            return value;
        }

        result.AddError($"{name} must be {expected}, was: '{text}'.");
        return default;
    }
}
