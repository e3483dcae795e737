using System.Reflection;
using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace ActorPool.Testing;

/// <summary>
/// Approval of an assembly's public surface: the generated API must equal the <c>.approved.txt</c>
/// file beside the calling test. A change writes <c>.received.txt</c> there and fails, so review sees
/// every change to the surface as a diff of that file.
/// </summary>
public static class ApiApproval
{
    /// <summary>Checks <paramref name="assembly"/> against <c>{name}.approved.txt</c> in the calling test's folder.</summary>
    public static void Verify(Assembly assembly, [CallerFilePath] string callerFile = "")
    {
        var folder = Path.GetDirectoryName(callerFile)!;
        var name = assembly.GetName().Name!;
        var approvedPath = Path.Combine(folder, $"{name}.approved.txt");
        var receivedPath = Path.Combine(folder, $"{name}.received.txt");
        var api = Normalize(assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"],
        }));
        var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : string.Empty;
        if (api == approved)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, api);
        Assert.Fail($"The public API of {name} changed. If the change is deliberate, replace {approvedPath} with {receivedPath} and commit it.\n{FirstDifference(approved, api)}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";

    private static string FirstDifference(string approved, string received)
    {
        var a = approved.Split('\n');
        var r = received.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, r.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end)";
            var right = i < r.Length ? r[i] : "(end)";
            if (left != right)
            {
                return $"first difference at line {i + 1}:\n  approved: {left}\n  received: {right}";
            }
        }

        return "the files differ only in line endings";
    }
}
