using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Cli.Demo;

/// <summary>
/// A Kestrel server on a free loopback port that serves <see cref="ServedFile"/>s under
/// <c>/files/{name}</c>: the demo's stand-in for the internet, and the tests' real server.
/// </summary>
internal sealed class FileServer : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly WebApplication _app;
    private readonly Dictionary<string, ServedFile> _files;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    private FileServer(WebApplication app, IEnumerable<ServedFile> files)
    {
        _app = app;
        _files = files.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Starts serving <paramref name="files"/> on 127.0.0.1 and a port the OS picks.</summary>
    public static async Task<FileServer> StartAsync(IEnumerable<ServedFile> files, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FileServer(app, files);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>The URL of a file, served or not.</summary>
    public Uri UrlOf(string name) => new(BaseAddress, "files/" + Uri.EscapeDataString(name));

    /// <summary>How many requests asked for <paramref name="name"/>.</summary>
    public int RequestsFor(string name) => _requests.GetValueOrDefault(name);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var name = path.StartsWith("/files/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path["/files/".Length..]) : string.Empty;
        var count = _requests.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (!_files.TryGetValue(name, out var file) || file.Missing)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (count <= file.FailFirst)
        {
            context.Response.StatusCode = file.FailStatus;
            if (file.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return;
        }

        var aborted = context.RequestAborted;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = file.Size;
        var delayPerChunk = file.BytesPerSecond is { } rate ? TimeSpan.FromSeconds(ChunkSize / (double)rate) : TimeSpan.Zero;
        long sent = 0;
        var held = file.HoldHalfwayUntil is null;
        try
        {
            foreach (var whole in file.Chunks(ChunkSize))
            {
                var chunk = whole;
                if (!held && sent + chunk.Length > file.Size / 2)
                {
                    var before = (int)(file.Size / 2 - sent);
                    await context.Response.Body.WriteAsync(chunk[..before], aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    sent += before;
                    chunk = chunk[before..];
                    file.OnHalfway?.Invoke();
                    await file.HoldHalfwayUntil!.WaitAsync(aborted);
                    held = true;
                }

                await context.Response.Body.WriteAsync(chunk, aborted);
                sent += chunk.Length;
                if (delayPerChunk > TimeSpan.Zero)
                {
                    await context.Response.Body.FlushAsync(aborted);
                    await Task.Delay(delayPerChunk, aborted);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (cancelled download); nothing to answer.
        }
    }
}
