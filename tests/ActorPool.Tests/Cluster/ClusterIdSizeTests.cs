namespace ActorPool.Tests.Cluster;

/// <summary>A task's id travels with it, so it counts when submits are cut to Akka's frame (issue 23, item 6).</summary>
public sealed class ClusterIdSizeTests
{
    [Fact]
    public async Task Forty_submits_with_30_KB_ids_must_all_be_accepted_and_run_not_time_out()
    {
        var node = TestCluster.Node();
        try
        {
            var pool = TestCluster.Pool(node, configure: o => o.AskTimeout = TimeSpan.FromSeconds(5));
            await TestCluster.JoinAsync(node);
            var id = new string('k', 30_000);

            // Submitted together, so the front gathers them into as few messages as the frame allows.
            var submits = Enumerable.Range(0, 40)
                .Select(i => pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0, $"t{i}"), new TaskOptions { Id = id + i }))
                .ToArray();
            var ids = await Task.WhenAll(submits).WaitAsync(TestSignals.Patience);
            await pool.WaitAsync().WaitAsync(TestSignals.Patience);

            Assert.Equal(40, ids.Distinct().Count());
            await TestSignals.EventuallyAsync(() => pool.GetStats().Succeeded == 40, () => $"{pool.GetStats().Succeeded} of 40 succeeded"); // the cluster's figures refresh every 250 ms
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }

    [Fact]
    public async Task An_id_too_large_to_travel_must_be_refused_at_submit_naming_TaskOptions_Id()
    {
        var node = TestCluster.Node();
        try
        {
            var pool = TestCluster.Pool(node);
            await TestCluster.JoinAsync(node);

            var error = await Assert.ThrowsAsync<ArgumentException>(() => pool.SubmitAsync(TestCluster.Handler, new TestCluster.Work(0), new TaskOptions { Id = new string('k', 200_000) }));

            Assert.Equal("options", error.ParamName);
            Assert.Contains("TaskOptions.Id", error.Message, StringComparison.Ordinal);
            Assert.Contains("maximum-frame-size", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, pool.GetStats().Submitted);
        }
        finally
        {
            await TestCluster.StopAllAsync(node);
        }
    }
}
