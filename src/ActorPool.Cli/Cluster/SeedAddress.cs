using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ActorPool.Cli.Cluster;

/// <summary>A node to join the cluster through, as typed on the command line: <c>host:port</c>.</summary>
/// <param name="Host">The host name or IP address, as the node listens on it (Akka compares addresses as text).</param>
/// <param name="Port">The node's TCP port.</param>
internal sealed record SeedAddress(string Host, int Port)
{
    /// <summary>How the option's parse error describes a good value.</summary>
    private const string Expected = "host:port with a port from 1 to 65,535, such as 127.0.0.1:4053";

    /// <summary>
    /// <c>--seed H:P</c>, repeatable (<c>--seed a:1 --seed b:2</c>); a bad value is one parse
    /// error naming the option and the value, like every numeric option of the CLI.
    /// </summary>
    public static Option<SeedAddress[]> Option(string description) =>
        new("--seed")
        {
            Description = description,
            HelpName = "host:port",
            AllowMultipleArgumentsPerToken = false,
            CustomParser = Parse,
        };

    /// <summary>Reads <c>host:port</c>; an IPv6 host goes in brackets (<c>[::1]:4053</c>).</summary>
    public static bool TryParse(string text, out SeedAddress seed)
    {
        seed = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65_535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!IsHostName(host))
        {
            return false;
        }

        seed = new SeedAddress(host, port);
        return true;
    }

    /// <summary>Whether <paramref name="host"/> is a DNS name or an IP address (so it is also safe inside a quoted HOCON string).</summary>
    public static bool IsHostName(string host) => Uri.CheckHostName(host) != UriHostNameType.Unknown;

    /// <summary>The Akka address of the node of system <paramref name="system"/> at this seed.</summary>
    public Akka.Actor.Address ToAddress(string system) => new("akka.tcp", system, Host, Port);

    /// <summary>As it was typed: <c>host:port</c>.</summary>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static SeedAddress[] Parse(ArgumentResult result)
    {
        var seeds = new List<SeedAddress>();
        foreach (var token in result.Tokens)
        {
            if (!TryParse(token.Value, out var seed))
            {
                result.AddError($"--seed must be {Expected}, was: '{token.Value}'.");
                return [];
            }

            seeds.Add(seed);
        }

        return [.. seeds];
    }
}
