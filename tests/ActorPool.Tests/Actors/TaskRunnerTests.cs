using ActorPool.Actors;
using ActorPool.Work;
using Akka.Event;

namespace ActorPool.Tests.Actors;

/// <summary>The one run every worker makes, local or on a cluster's node, without any actor: how a run ends and what it asks for next.</summary>
public sealed class TaskRunnerTests
{
    [Fact]
    public async Task A_run_that_completes_must_end_Succeeded_without_error_or_retry()
    {
        var (runner, _) = Runner();
        var item = Item(_ => Task.CompletedTask);

        var ended = await RunAsync(runner, item);

        Assert.Equal(new RunEnd(TaskOutcome.Succeeded, null, RetryWanted: false), ended);
    }

    [Fact]
    public async Task A_delegate_that_throws_returns_null_or_faults_must_end_Failed_with_what_it_did()
    {
        var (runner, _) = Runner();
        var boom = new InvalidOperationException("boom");

        var thrown = await RunAsync(runner, Item(_ => throw boom));
        var faulted = await RunAsync(runner, Item(async _ =>
        {
            await Task.Yield();
            throw new FormatException("late");
        }));
        var nothing = await RunAsync(runner, Item(_ => null!));

        Assert.Equal(TaskOutcome.Failed, thrown.Outcome);
        Assert.Same(boom, thrown.Error);
        Assert.IsType<FormatException>(faulted.Error);
        Assert.Contains("returned null", Assert.IsType<InvalidOperationException>(nothing.Error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_must_ask_for_a_retry_only_while_attempts_remain_and_the_rule_agrees()
    {
        var (runner, _) = Runner(maxAttempts: 3, shouldRetry: ex => ex is TimeoutException);

        var first = await RunAsync(runner, Item(_ => throw new TimeoutException(), attempts: 1));
        var last = await RunAsync(runner, Item(_ => throw new TimeoutException(), attempts: 3));
        var refused = await RunAsync(runner, Item(_ => throw new FormatException(), attempts: 1));
        var ownLimit = await RunAsync(runner, Item(_ => throw new TimeoutException(), attempts: 1, options: new TaskOptions { MaxAttempts = 1 }));

        Assert.True(first.RetryWanted);
        Assert.False(last.RetryWanted);
        Assert.False(refused.RetryWanted);
        Assert.False(ownLimit.RetryWanted);
    }

    [Fact]
    public async Task A_retry_rule_that_throws_must_not_escape_and_must_mean_no_retry()
    {
        var (runner, _) = Runner(maxAttempts: 3, shouldRetry: _ => throw new InvalidOperationException("predicate bug"));

        var ended = await RunAsync(runner, Item(_ => throw new FormatException(), attempts: 1));

        Assert.Equal(TaskOutcome.Failed, ended.Outcome);
        Assert.False(ended.RetryWanted);
    }

    [Fact]
    public async Task A_cancellation_must_be_Cancelled_only_when_the_pool_or_the_caller_fired_and_a_task_of_its_own_is_Failed()
    {
        using var pool = new CancellationTokenSource();
        var (runner, _) = Runner(poolToken: pool.Token);
        var own = await RunAsync(runner, Item(_ => throw new OperationCanceledException("its own")));

        using var caller = new CancellationTokenSource();
        var started = TestSignals.NewGate();
        var callers = Item(async token =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        }, callerToken: caller.Token);
        var run = runner.Start(callers);
        await started.Task.WaitAsync(TestSignals.Patience);
        await caller.CancelAsync();
        await run.ContinueWith(static _ => { }).WaitAsync(TestSignals.Patience);
        var byCaller = runner.End(callers, run);

        await pool.CancelAsync();
        var byPool = await RunAsync(runner, Item(Task.FromCanceled, attempts: 1));

        Assert.Equal(TaskOutcome.Failed, own.Outcome);
        Assert.Equal(TaskOutcome.Cancelled, byCaller.Outcome);
        Assert.Equal(TaskOutcome.Cancelled, byPool.Outcome);
        Assert.False(byPool.RetryWanted);
    }

    [Fact]
    public async Task A_run_past_its_timeout_must_be_reported_at_the_deadline_then_end_TimedOut_when_its_delegate_returns()
    {
        var (runner, rules) = Runner();
        var release = TestSignals.NewGate();
        var item = Item(async token =>
        {
            await release.Task; // ignores its token: the report must not wait for it
            token.ThrowIfCancellationRequested();
        }, options: new TaskOptions { Timeout = TimeSpan.FromMilliseconds(50) });

        var run = runner.Start(item);
        var reported = await rules.Deadlines.Reader.ReadAsync().AsTask().WaitAsync(TestSignals.Patience);
        Assert.False(run.IsCompleted);
        release.SetResult();
        await run.ContinueWith(static _ => { }).WaitAsync(TestSignals.Patience);
        var ended = runner.End(item, run);

        Assert.Same(item, reported.Item);
        Assert.Contains("timeout", reported.Error.Message, StringComparison.Ordinal);
        Assert.Equal(TaskOutcome.TimedOut, ended.Outcome);
        Assert.IsType<TimeoutException>(ended.Error);
        Assert.False(ended.RetryWanted);
    }

    [Fact]
    public async Task A_node_that_leaves_must_not_end_the_retries_its_pool_would_still_make()
    {
        using var leaving = new CancellationTokenSource();
        await leaving.CancelAsync();
        var (local, _) = Runner(maxAttempts: 3, poolToken: leaving.Token);
        var (node, _) = Runner(maxAttempts: 3, tokenEndsRetries: false, poolToken: leaving.Token);

        var stopped = await RunAsync(local, Item(_ => throw new FormatException(), attempts: 1));
        var elsewhere = await RunAsync(node, Item(_ => throw new FormatException(), attempts: 1));

        Assert.False(stopped.RetryWanted);
        Assert.True(elsewhere.RetryWanted);
    }

    private static async Task<RunEnd> RunAsync(TaskRunner runner, WorkItem item)
    {
        var run = runner.Start(item);
        await run.ContinueWith(static _ => { }).WaitAsync(TestSignals.Patience);
        return runner.End(item, run);
    }

    private static (TaskRunner Runner, FakeRules Rules) Runner(int maxAttempts = 1, Func<Exception, bool>? shouldRetry = null, bool tokenEndsRetries = true, CancellationToken poolToken = default)
    {
        var rules = new FakeRules(tokenEndsRetries)
        {
            PoolToken = poolToken,
            TaskTimeout = null,
            MaxAttempts = maxAttempts,
            ShouldRetry = shouldRetry ?? (_ => true),
            InsideMarker = null,
        };
        return (new TaskRunner(rules, NoLogger.Instance), rules);
    }

    private static CallerItem Item(Func<CancellationToken, Task> work, int attempts = 1, TaskOptions? options = null, CancellationToken callerToken = default)
    {
        var item = new CallerItem(work, options, callerToken) { Id = 1, Attempts = attempts };
        item.TryMove(ItemState.Inbox, ItemState.Running);
        return item;
    }

    private sealed class CallerItem(Func<CancellationToken, Task> work, TaskOptions? options, CancellationToken callerToken) : WorkItem(options)
    {
        public override CancellationToken CallerToken => callerToken;

        public override Task? Invoke(CancellationToken token) => work(token);

        public override void Release()
        {
        }
    }

    private sealed class FakeRules(bool tokenEndsRetries) : RunRules
    {
        public System.Threading.Channels.Channel<(WorkItem Item, TimeoutException Error)> Deadlines { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(WorkItem, TimeoutException)>();

        public override TimeProvider Time => TimeProvider.System;

        public override bool PoolTokenEndsRetries => tokenEndsRetries;

        public override void DeadlinePassed(WorkItem item, TimeoutException error) => Deadlines.Writer.TryWrite((item, error));
    }
}
