namespace ActorPool.Hosting.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_ActorPool_Hosting_must_match_its_approved_snapshot() => ApiApproval.Verify(typeof(ActorPoolServiceCollectionExtensions).Assembly);
}
