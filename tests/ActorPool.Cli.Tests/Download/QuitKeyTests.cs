using ActorPool.Cli.Download;

namespace ActorPool.Cli.Tests.Download;

public sealed class QuitKeyTests
{
    [Fact]
    public async Task Q_must_start_the_graceful_shutdown_once_and_other_keys_must_not()
    {
        var keys = new Queue<char>(['x', ' ', 'q', 'q']);
        var signal = new ShutdownSignal();

        await QuitKey.WatchAsync(() => keys.Count > 0, keys.Dequeue, () => signal.Request(), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(signal.Graceful.IsCancellationRequested);
        Assert.False(signal.Immediate.IsCancellationRequested);
        Assert.Single(keys);
    }

    [Fact]
    public async Task The_watch_must_end_with_the_run_without_a_key()
    {
        using var runEnded = new CancellationTokenSource();
        var quit = false;

        var watch = QuitKey.WatchAsync(() => false, () => 'q', () => quit = true, TimeProvider.System, runEnded.Token);
        await runEnded.CancelAsync();
        await watch.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(quit);
    }
}
