using System.Net;
using System.Net.Http.Headers;
using ActorPool.Cli.Download;

namespace ActorPool.Cli.Tests.Download;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(350));

    [Fact]
    public void Backoff_must_double_after_each_failure_up_to_the_cap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), Policy.DelayAfter(1, null));
        Assert.Equal(TimeSpan.FromMilliseconds(200), Policy.DelayAfter(2, null));
        Assert.Equal(TimeSpan.FromMilliseconds(350), Policy.DelayAfter(3, null));
        Assert.Equal(TimeSpan.FromMilliseconds(350), Policy.DelayAfter(60, null));
    }

    [Fact]
    public void Retry_after_must_win_over_the_backoff_even_beyond_the_cap()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Policy.DelayAfter(1, TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.Zero, Policy.DelayAfter(1, TimeSpan.FromSeconds(-3)));
    }

    [Fact]
    public void Retry_after_must_be_read_as_seconds_or_as_a_date()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromSeconds(3), RetryPolicy.RetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)), now));
        Assert.Equal(TimeSpan.FromSeconds(90), RetryPolicy.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(90)), now));
        Assert.Null(RetryPolicy.RetryAfter(null, now));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    public void Only_server_errors_408_and_429_must_count_as_transient(HttpStatusCode status, bool transient) =>
        Assert.Equal(transient, RetryPolicy.IsTransient(status));
}
