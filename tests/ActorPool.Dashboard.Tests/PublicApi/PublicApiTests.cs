namespace ActorPool.Dashboard.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_ActorPool_Dashboard_must_match_its_approved_snapshot() => ApiApproval.Verify(typeof(ActorPoolDashboardOptions).Assembly);
}
