using ActorPool.Durable;

namespace ActorPool.Tests.Durable;

/// <summary>The journal's state as both persistent supervisors read and write it, without any actor.</summary>
public sealed class JournalStateTests
{
    [Fact]
    public void Events_must_leave_the_unfinished_tasks_with_their_starts_counted_and_the_finished_as_outcomes()
    {
        var state = new JournalState(keepOutcomes: 10);

        state.Apply(new TasksJournaled([Task(1), Task(2), Task(3)]));
        state.Apply(new TasksStarted([2, 2, 1, 99]));
        state.Apply(new TasksFinished([Outcome(1)]));

        Assert.Equal([(2L, 2), (3L, 0)], state.Unfinished.Select(t => (t.Id, t.Attempts)));
        Assert.Equal([1L], state.Recent.Select(o => o.Id));
        Assert.Equal(3, state.LastId);
        Assert.False(state.IsUnfinished(1));
    }

    [Fact]
    public void A_snapshot_applied_to_a_new_state_must_give_back_the_same_state()
    {
        var state = new JournalState(keepOutcomes: 10);
        state.Apply(new TasksJournaled([Task(5), Task(6), Task(7)]));
        state.Apply(new TasksStarted([6]));
        state.Apply(new TasksFinished([Outcome(5)]));

        var read = new JournalState(keepOutcomes: 10);
        read.Apply(state.Snapshot(DateTimeOffset.UtcNow));

        Assert.Equal(state.Unfinished.Select(t => (t.Id, t.Attempts)), read.Unfinished.Select(t => (t.Id, t.Attempts)));
        Assert.Equal(state.Recent.Select(o => o.Id), read.Recent.Select(o => o.Id));
        Assert.Equal(7, read.LastId);
        Assert.Equal(8, read.IssueId());
    }

    [Fact]
    public void The_lowest_unfinished_id_must_follow_outcomes_in_any_order()
    {
        var state = new JournalState(keepOutcomes: 0);
        Assert.Equal(long.MaxValue, state.LowestUnfinished());
        state.Apply(new TasksJournaled([Task(1), Task(2), Task(3)]));

        state.Apply(new TasksFinished([Outcome(2)]));
        Assert.Equal(1, state.LowestUnfinished());
        state.Apply(new TasksFinished([Outcome(1)]));
        Assert.Equal(3, state.LowestUnfinished());
        state.Apply(new TasksFinished([Outcome(3)]));
        Assert.Equal(long.MaxValue, state.LowestUnfinished());
    }

    [Fact]
    public void Only_the_newest_outcomes_must_be_kept_and_none_when_asked_for_none()
    {
        var some = new JournalState(keepOutcomes: 2);
        var none = new JournalState(keepOutcomes: 0);
        var finished = new TasksFinished([Outcome(1), Outcome(2), Outcome(3)]);

        some.Apply(finished);
        none.Apply(finished);

        Assert.Equal([2L, 3L], some.Recent.Select(o => o.Id));
        Assert.Empty(none.Recent);
    }

    [Fact]
    public void A_snapshot_must_be_due_once_enough_finished_and_counting_must_start_again()
    {
        var state = new JournalState(keepOutcomes: 0);
        state.Apply(new TasksFinished([Outcome(1), Outcome(2)]));
        Assert.False(state.SnapshotDue(every: 3));

        state.Apply(new TasksFinished([Outcome(3)]));
        Assert.True(state.SnapshotDue(every: 3));
        Assert.False(state.SnapshotDue(every: 3));
    }

    [Fact]
    public void Something_that_is_not_a_journal_entry_must_be_refused_naming_it()
    {
        var state = new JournalState(keepOutcomes: 0);

        var refused = Assert.Throws<ArgumentException>(() => state.Apply("TasksJournaled"));

        Assert.Contains("String", refused.Message, StringComparison.Ordinal);
    }

    private static DurableTask Task(long id) => new(id, "echo", [], Options: null, Attempts: 0);

    private static DurableOutcome Outcome(long id) => new(id, Key: null, TaskOutcome.Succeeded, null, null, 0, DateTimeOffset.UnixEpoch, Attempts: 1);
}
