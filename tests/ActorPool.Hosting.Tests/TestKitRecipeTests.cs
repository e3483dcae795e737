using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPool.Hosting.Tests;

/// <summary>
/// The README's TestKit recipe: register the test's <c>Sys</c> as the container's actor system,
/// add the pool as production code does, and test the code that takes an <see cref="IWorkerPool"/>.
/// </summary>
public sealed class TestKitRecipeTests : TestKit
{
    [Fact]
    public async Task Code_that_uses_an_injected_pool_must_be_testable_inside_the_testkit_system()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Sys)
            .AddActorPool("mail", o => o.Workers = 2)
            .AddSingleton<Mailer>();
        await using var provider = services.BuildServiceProvider();
        var outbox = CreateTestProbe();
        var mailer = provider.GetRequiredService<Mailer>();

        await mailer.SendAsync(outbox.Ref, "hello");
        await mailer.SendAsync(outbox.Ref, "world");

        var sent = new[] { await outbox.ExpectMsgAsync<string>(), await outbox.ExpectMsgAsync<string>() };
        Assert.Equal(["hello", "world"], sent.Order());
        await AwaitAssertAsync(() => Assert.Equal(2, mailer.Pool.GetStats().Succeeded));

        // The pool lives in the test's system, under its name.
        var supervisor = await Sys.ActorSelection("/user/mail").ResolveOne(TimeSpan.FromSeconds(5));
        Assert.NotNull(supervisor);
    }

    /// <summary>Application code as a service would write it.</summary>
    private sealed class Mailer([FromKeyedServices("mail")] IWorkerPool pool)
    {
        public IWorkerPool Pool { get; } = pool;

        public Task<long> SendAsync(IActorRef outbox, string message) => Pool.SubmitAsync(_ =>
        {
            outbox.Tell(message);
            return Task.CompletedTask;
        });
    }
}
