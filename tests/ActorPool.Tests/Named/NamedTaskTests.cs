namespace ActorPool.Tests.Named;

public sealed class NamedTaskTests
{
    [Fact]
    public async Task A_named_task_must_run_its_handler_on_a_copy_of_the_payload_and_record_its_outcome()
    {
        var seen = new List<Resize>();
        var original = new Resize("cat.png", 640);
        await using var pool = Pool(o => o.Handlers.Add<Resize>("resize", (payload, _) =>
        {
            lock (seen)
            {
                seen.Add(payload);
            }

            return Task.CompletedTask;
        }));

        var id = await pool.SubmitAsync("resize", original);
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        var payload = Assert.Single(seen);
        Assert.Equal(original, payload);
        Assert.NotSame(original, payload); // what crossed is JSON, as it would to another node
        Assert.Equal(TaskOutcome.Succeeded, pool.GetResults()[id].Outcome);
    }

    [Fact]
    public async Task RunAsync_by_name_must_return_the_handlers_value_and_convert_it_through_json_when_asked_for_another_type()
    {
        await using var pool = Pool(o => o.Handlers.Add<Resize, Thumbnail>("resize", (payload, _) => Task.FromResult(new Thumbnail(payload.File, payload.Width / 2))));

        var thumbnail = await pool.RunAsync<Thumbnail>("resize", new Resize("cat.png", 640));
        var asDictionary = await pool.RunAsync<Dictionary<string, object>>("resize", new Resize("dog.png", 100));

        Assert.Equal(new Thumbnail("cat.png", 320), thumbnail);
        Assert.Equal("dog.png", asDictionary["file"].ToString());
    }

    [Fact]
    public async Task An_unknown_handler_must_be_refused_at_submit_naming_it_and_the_registered_ones()
    {
        await using var pool = Pool(o => o.Handlers.Add<Resize>("resize", (_, _) => Task.CompletedTask));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync("rezise", new Resize("a", 1)));

        Assert.Equal("handler", error.ParamName);
        Assert.Contains("'rezise'", error.Message, StringComparison.Ordinal);
        Assert.Contains("resize", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.GetStats().Submitted);
    }

    [Fact]
    public async Task A_payload_of_the_wrong_type_or_one_that_cannot_cross_as_json_must_be_refused_at_submit()
    {
        await using var pool = Pool(o => o.Handlers
            .Add<Resize>("resize", (_, _) => Task.CompletedTask)
            .Add<Unserializable>("odd", (_, _) => Task.CompletedTask));

        var wrongType = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync("resize", "cat.png"));
        var unserializable = await Assert.ThrowsAsync<ArgumentException>(() => pool.RunAsync<int>("odd", new Unserializable { Callback = () => { } }));

        Assert.Equal(("payload", "payload"), (wrongType.ParamName, unserializable.ParamName));
        Assert.Contains("Resize", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be serialized", unserializable.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.GetStats().Submitted);
    }

    [Fact]
    public async Task A_failing_handler_must_be_recorded_Failed_and_RunAsync_must_rethrow_its_exception()
    {
        var boom = new IOException("disk full");
        await using var pool = Pool(o => o.Handlers.Add<Resize, int>("resize", (_, _) => Task.FromException<int>(boom)));

        var thrown = await Assert.ThrowsAsync<IOException>(() => pool.RunAsync<int>("resize", new Resize("a", 1)));

        Assert.Same(boom, thrown);
        Assert.Equal(TaskOutcome.Failed, Assert.Single(pool.GetResults().Values).Outcome);
    }

    [Fact]
    public async Task A_handler_type_must_come_from_the_pools_services_or_its_parameterless_constructor()
    {
        var services = new SingleService(new PrefixHandler("from services: "));
        await using var hosted = Pool(o =>
        {
            o.Services = services;
            o.Handlers.Add<PrefixHandler, Resize, string>("name");
        });
        await using var plain = Pool(o => o.Handlers.Add<PrefixHandler, Resize, string>("name"));

        Assert.Equal("from services: a", await hosted.RunAsync<string>("name", new Resize("a", 1)));
        Assert.Equal("a", await plain.RunAsync<string>("name", new Resize("a", 1)));
    }

    [Fact]
    public async Task SubmitManyAsync_by_name_must_check_every_payload_before_submitting_any()
    {
        var ran = 0;
        await using var pool = Pool(o => o.Handlers.Add<Resize>("resize", (_, _) =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        }));

        await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitManyAsync("resize", [new Resize("a", 1), "not a resize"]));
        var ids = await pool.SubmitManyAsync("resize", Enumerable.Range(0, 100).Select(i => (object?)new Resize($"{i}.png", i)));
        await pool.WaitAsync().WaitAsync(TestSignals.Patience);

        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(100, ran);
        Assert.Equal(100, pool.GetStats().Submitted);
    }

    [Fact]
    public void A_name_must_be_registered_once()
    {
        var handlers = new TaskHandlerRegistry().Add<Resize>("resize", (_, _) => Task.CompletedTask);

        var error = Assert.Throws<ArgumentException>(() => handlers.Add<Resize, int>("resize", (_, _) => Task.FromResult(1)));

        Assert.Contains("'resize'", error.Message, StringComparison.Ordinal);
        Assert.True(handlers.Contains("resize"));
    }

    private static WorkerPool Pool(Action<WorkerPoolOptions> configure)
    {
        var options = new WorkerPoolOptions { Workers = 2 };
        configure(options);
        var pool = new WorkerPool(options);
        pool.Start();
        return pool;
    }

    public sealed record Resize(string File, int Width);

    public sealed record Thumbnail(string File, int Width);

    public sealed class Unserializable
    {
        public Action? Callback { get; set; }
    }

    public sealed class PrefixHandler(string prefix) : ITaskHandler<Resize, string>
    {
        public PrefixHandler()
            : this(string.Empty)
        {
        }

        public Task<string> HandleAsync(Resize payload, CancellationToken cancellationToken) => Task.FromResult(prefix + payload.File);
    }

    private sealed class SingleService(object service) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(service) ? service : null;
    }
}
