using ActorPool.Cli.Demo;
using ActorPool.Cli.Download;
using Xunit.Abstractions;

namespace ActorPool.Cli.Tests.Download;

/// <summary>Per-host throttling: the AIMD arithmetic alone, then against a server that answers 429 when asked too often.</summary>
public sealed class ThrottleTests(ITestOutputHelper log)
{
    [Fact]
    public void A_throttle_must_halve_the_rate_from_the_ceiling_and_climb_back_by_steps_to_it()
    {
        var rate = new AimdRate(ceiling: 10);

        rate.Decrease(observedRate: 40);
        Assert.Equal(5, rate.Limit);
        rate.Decrease(observedRate: 40);
        Assert.Equal(2.5, rate.Limit);

        var steps = 0;
        while (rate.Limit is { } limit)
        {
            rate.Increase();
            steps++;
            Assert.True(rate.Limit is null || rate.Limit > limit, "each success must raise the rate");
            Assert.True(rate.Limit is null or < 10, "never above the ceiling");
        }

        Assert.InRange(steps, 2, 20);
    }

    [Fact]
    public void Without_a_ceiling_the_observed_rate_must_be_the_start_and_the_end_of_recovery()
    {
        var rate = new AimdRate(ceiling: 0);

        rate.Decrease(observedRate: 8);
        Assert.Equal(4, rate.Limit);
        for (var i = 0; i < 100 && rate.Limit is not null; i++)
        {
            Assert.True(rate.Limit < 8);
            rate.Increase();
        }

        Assert.Null(rate.Limit);
    }

    [Fact]
    public void The_rate_must_never_fall_below_the_minimum()
    {
        var rate = new AimdRate(ceiling: 1);
        for (var i = 0; i < 20; i++)
        {
            rate.Decrease(observedRate: 1);
        }

        Assert.Equal(AimdRate.MinRate, rate.Limit);
    }

    [Fact]
    public async Task A_server_that_throttles_must_get_fewer_requests_until_every_file_is_saved()
    {
        // The server serves one request per 300 ms and answers 429 (Retry-After: 1) to the rest.
        // Four workers asking at once would keep hitting it; with two retries each, files would
        // fail. Slowing down for the host is what lets every file through.
        var files = Enumerable.Range(1, 8).Select(i => new ServedFile($"t{i:D2}.bin", 2_000)).ToArray();
        await using var server = await FileServer.StartAsync(files, minInterval: TimeSpan.FromMilliseconds(300));
        using var folder = new DownloadTestFolder();
        folder.WriteUrls(server, files);
        var output = new StringWriter();

        var summary = await DownloadRunner.RunAsync(
            folder.Settings(workers: 4) with { Retry = new RetryPolicy(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)) },
            TextWriter.Synchronized(output),
            null,
            new ShutdownSignal()).WaitAsync(TimeSpan.FromSeconds(60));

        log.WriteLine($"{server.Throttled} answers were 429");
        Assert.Equal(8, summary.Succeeded);
        Assert.Contains($"⚠ Rate limit reached. Throttling requests to {server.BaseAddress.Authority} to", output.ToString());
        Assert.InRange(server.Throttled, 1, 8);
    }
}
