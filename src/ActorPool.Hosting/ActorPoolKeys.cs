namespace ActorPool.Hosting;

/// <summary>Where pools read their settings from <see cref="Microsoft.Extensions.Configuration.IConfiguration"/>.</summary>
public static class ActorPoolKeys
{
    /// <summary>The configuration section that holds one subsection per pool name: <c>ActorPool:mail:Workers</c>.</summary>
    public const string Section = "ActorPool";

    /// <summary>Returns the configuration section of one pool.</summary>
    /// <param name="poolName">The pool's name.</param>
    /// <returns><c>ActorPool:&lt;poolName&gt;</c>.</returns>
    public static string SectionFor(string poolName) => $"{Section}:{poolName}";
}
