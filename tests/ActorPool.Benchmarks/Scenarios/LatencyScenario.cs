using System.Diagnostics;
using System.Globalization;
using ActorPool.Benchmarks.Contenders;

namespace ActorPool.Benchmarks.Scenarios;

/// <summary>
/// Latency at 10,000 tasks/s: no-op tasks issued at a steady pace, each timed from the call to
/// its caller resuming; ActorPool with its default options beside the Channels pool and a plain
/// Akka <c>Ask</c>.
/// </summary>
public sealed class LatencyScenario : IAsyncDisposable
{
    public const int PerSecond = 10_000;

    /// <summary>The worker counts the row is measured at.</summary>
    public static readonly int[] WorkerCounts = [2, 8];

    public static readonly string[] Contenders = [ChannelsPool.CompletionName, ActorPoolContender.RunName, AkkaRoundRobinContender.ContenderName];

    private readonly ChannelsPool? _channels;
    private readonly WorkerPool? _pool;
    private readonly AkkaRoundRobinContender? _akka;

    public LatencyScenario(string contender, int workers)
    {
        if (contender == ChannelsPool.CompletionName)
        {
            _channels = new ChannelsPool(workers, withCompletion: true);
        }
        else if (contender == ActorPoolContender.RunName)
        {
            _pool = new WorkerPool(new WorkerPoolOptions { Workers = workers });
            _pool.Start();
        }
        else if (contender == AkkaRoundRobinContender.ContenderName)
        {
            _akka = new AkkaRoundRobinContender(workers);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(contender), contender, "No latency scenario for this contender.");
        }
    }

    /// <summary>Issues <paramref name="requests"/> requests at 10,000 a second and returns their p50 and p99.</summary>
    public async Task<Latency> RunPacedAsync(int requests)
    {
        var sorted = (await PaceAsync(requests, RequestAsync)).Order().ToArray();
        return new Latency(sorted[requests / 2], sorted[(int)(requests * 0.99)]);
    }

    /// <summary>
    /// As <see cref="RunPacedAsync"/>, each request's time split where its task starts: the medians
    /// of call to start (admission, queue, hand-over to a worker) and of start to the caller
    /// resuming (the completion's way back). Not for the Akka contender.
    /// </summary>
    public async Task<(TimeSpan ToStart, TimeSpan Back)> RunSplitAsync(int requests)
    {
        var splits = await PaceAsync(requests, SplitRequestAsync);
        return (Median(splits.Select(s => s.ToStart)), Median(splits.Select(s => s.Back)));

        TimeSpan Median(IEnumerable<TimeSpan> values) => values.Order().ElementAt(requests / 2);
    }

    /// <summary>Requests go out each millisecond, ten at a time, because a spinning pacer would take one of the machine's cores from the pool it measures.</summary>
    private static async Task<T[]> PaceAsync<T>(int requests, Func<Task<T>> request)
    {
        var results = new Task<T>[requests];
        var clock = Stopwatch.StartNew();
        var issued = 0;
        while (issued < requests)
        {
            var due = Math.Min(requests, (int)(clock.Elapsed.TotalSeconds * PerSecond) + 1);
            while (issued < due)
            {
                results[issued++] = request();
            }

            await Task.Delay(1);
        }

        return await Task.WhenAll(results);
    }

    /// <summary>The median of <paramref name="requests"/> RunAsync round trips made one after another (ActorPool only): the floor under the paced figure.</summary>
    public async Task<TimeSpan> SequentialRoundTripAsync(int requests)
    {
        var samples = new TimeSpan[requests];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = await RequestAsync();
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    public async ValueTask DisposeAsync()
    {
        if (_channels is not null)
        {
            await _channels.DisposeAsync();
        }

        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }

        if (_akka is not null)
        {
            await _akka.DisposeAsync();
        }
    }

    private async Task<TimeSpan> RequestAsync()
    {
        var started = Stopwatch.GetTimestamp();
        if (_pool is not null)
        {
            await _pool.RunAsync(static _ => Task.FromResult(true));
        }
        else if (_akka is not null)
        {
            await _akka.RunOneAsync(Workloads.NoOp);
        }
        else
        {
            await _channels!.RunOneAsync(Workloads.NoOp);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private async Task<(TimeSpan ToStart, TimeSpan Back)> SplitRequestAsync()
    {
        var called = Stopwatch.GetTimestamp();
        var started = 0L;
        if (_pool is not null)
        {
            await _pool.RunAsync(_ =>
            {
                started = Stopwatch.GetTimestamp();
                return Task.FromResult(true);
            });
        }
        else
        {
            await _channels!.RunOneAsync(_ =>
            {
                started = Stopwatch.GetTimestamp();
                return Task.CompletedTask;
            });
        }

        var resumed = Stopwatch.GetTimestamp();
        return (Stopwatch.GetElapsedTime(called, started), Stopwatch.GetElapsedTime(started, resumed));
    }
}

/// <summary>A latency distribution's median and 99th percentile.</summary>
public readonly record struct Latency(TimeSpan P50, TimeSpan P99)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"p50 {P50.TotalMicroseconds:F0} us, p99 {P99.TotalMicroseconds:F0} us");
}
