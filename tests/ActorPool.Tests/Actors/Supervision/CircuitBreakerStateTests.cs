using ActorPool.Actors.Supervision;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class CircuitBreakerStateTests
{
    private readonly ManualClock _clock = new();
    private readonly CircuitBreakerState _breaker;

    public CircuitBreakerStateTests() =>
        _breaker = new CircuitBreakerState(new CircuitBreakerOptions { MaxFailures = 3, ResetTimeout = TimeSpan.FromSeconds(30) }, _clock);

    [Fact]
    public void It_must_open_after_max_consecutive_failures_only()
    {
        Assert.False(_breaker.OnFailure());
        Assert.False(_breaker.OnFailure());
        Assert.False(_breaker.OnSuccess());
        Assert.False(_breaker.OnFailure());
        Assert.False(_breaker.OnFailure());
        Assert.False(_breaker.IsRejecting());

        Assert.True(_breaker.OnFailure());
        Assert.True(_breaker.IsRejecting());
        Assert.False(_breaker.AllowStart(out _));
    }

    [Fact]
    public void After_the_reset_timeout_one_trial_must_run_and_its_result_decide()
    {
        Trip();
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.True(_breaker.IsRejecting());

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_breaker.IsRejecting());
        Assert.True(_breaker.AllowStart(out var trial));
        Assert.True(trial);
        Assert.True(_breaker.IsRejecting()); // only one trial at a time
        Assert.False(_breaker.AllowStart(out _));

        Assert.True(_breaker.OnFailure()); // trial failed: open again, for a full timeout
        Assert.Equal(BreakerPhase.Open, _breaker.Phase);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(_breaker.AllowStart(out _));
        Assert.True(_breaker.OnSuccess());
        Assert.Equal(BreakerPhase.Closed, _breaker.Phase);
        Assert.True(_breaker.AllowStart(out trial));
        Assert.False(trial);
    }

    [Fact]
    public void A_cancelled_trial_must_let_another_trial_run()
    {
        Trip();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(_breaker.AllowStart(out _));
        _breaker.OnNeutral();
        Assert.True(_breaker.AllowStart(out _));
    }

    private void Trip()
    {
        for (var i = 0; i < 3; i++)
        {
            _breaker.OnFailure();
        }

        Assert.Equal(BreakerPhase.Open, _breaker.Phase);
    }
}
