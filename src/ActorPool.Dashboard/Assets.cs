namespace ActorPool.Dashboard;

/// <summary>The dashboard's script and style sheet, embedded in the assembly and read once.</summary>
internal static class Assets
{
    private static readonly Dictionary<string, Asset> ByName = new(StringComparer.Ordinal)
    {
        ["dashboard.css"] = Load("dashboard.css", "text/css; charset=utf-8"),
        ["dashboard.js"] = Load("dashboard.js", "text/javascript; charset=utf-8"),
    };

    public static Asset? Find(string? name) => name is not null && ByName.TryGetValue(name, out var asset) ? asset : null;

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(Assets).Assembly.GetManifestResourceStream($"ActorPool.Dashboard.Assets.{name}")
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded in {typeof(Assets).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Asset(contentType, copy.ToArray());
    }
}

/// <summary>One embedded file and its content type.</summary>
internal sealed record Asset(string ContentType, ReadOnlyMemory<byte> Content);
