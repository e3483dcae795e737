using ActorPool.Actors.Supervision;
using ActorPool.Work;
using CsCheck;

namespace ActorPool.Tests.Actors.Supervision;

public sealed class TaskQueueTests
{
    [Fact]
    public void Without_priority_tasks_must_leave_in_submission_order_whatever_their_priority()
    {
        var queue = new TaskQueue(byPriority: false);
        queue.Enqueue(Task(1, priority: 0));
        queue.Enqueue(Task(2, priority: 9));
        queue.Enqueue(Task(3, priority: 5));

        Assert.Equal([1, 2, 3], DrainIds(queue));
    }

    [Fact]
    public void With_priority_higher_must_leave_first_and_equals_in_submission_order()
    {
        var queue = new TaskQueue(byPriority: true);
        queue.Enqueue(Task(1, priority: 0));
        queue.Enqueue(Task(2, priority: 5));
        queue.Enqueue(Task(3, priority: -1));
        queue.Enqueue(Task(4, priority: 5));
        queue.Enqueue(Task(5, priority: int.MaxValue));
        queue.Enqueue(Task(6, priority: int.MinValue));

        Assert.Equal([5, 2, 4, 1, 3, 6], DrainIds(queue));
    }

    [Fact]
    public void Dropping_the_oldest_must_take_the_first_submitted_even_with_priority()
    {
        var queue = new TaskQueue(byPriority: true);
        queue.Enqueue(Task(1, priority: 9));
        queue.Enqueue(Task(2, priority: 0));

        Assert.True(queue.TryDequeueOldest(out var oldest));
        Assert.Equal(1, oldest.Id);
        Assert.Equal([2], DrainIds(queue));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Removing_a_task_already_taken_by_TryDequeue_must_return_false_and_leave_the_count(bool byPriority)
    {
        var queue = new TaskQueue(byPriority);
        var first = Task(1, priority: 0);
        queue.Enqueue(first);
        queue.Enqueue(Task(2, priority: 0));
        Assert.True(queue.TryDequeue(out var taken));
        Assert.Same(first, taken);

        Assert.False(queue.Remove(first));

        Assert.Equal(1, queue.Count);
        Assert.Equal([2], DrainIds(queue));
    }

    /// <summary>Random operations against a sorted-list model: same order, same count, removed tasks never come back.</summary>
    [Fact]
    public void Any_sequence_of_operations_must_match_a_simple_model()
    {
        // op: 0-4 enqueue with that priority, 5 dequeue, 6 drop oldest, 7 remove a random live task
        var ops = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 1000]).Array[0, 400];
        Gen.Select(Gen.Bool, ops).Sample((byPriority, sequence) =>
        {
            var queue = new TaskQueue(byPriority);
            var model = new List<WorkItem>();
            var id = 0L;
            foreach (var (op, pick) in sequence)
            {
                switch (op)
                {
                    case <= 4:
                        var task = Task(++id, op);
                        queue.Enqueue(task);
                        model.Add(task);
                        break;
                    case 5:
                        var expected = model.OrderBy(t => byPriority ? -t.Priority : 0).ThenBy(t => t.Id).FirstOrDefault();
                        Assert.Equal(expected is not null, queue.TryDequeue(out var next));
                        if (expected is not null)
                        {
                            Assert.Same(expected, next);
                            Assert.False(queue.Remove(next)); // it already left
                            model.Remove(expected);
                        }

                        break;
                    case 6:
                        var oldest = model.FirstOrDefault();
                        Assert.Equal(oldest is not null, queue.TryDequeueOldest(out var dropped));
                        if (oldest is not null)
                        {
                            Assert.Same(oldest, dropped);
                            Assert.False(queue.Remove(dropped)); // it already left
                            model.RemoveAt(0);
                        }

                        break;
                    default:
                        if (model.Count > 0)
                        {
                            var victim = model[pick % model.Count];
                            Assert.True(queue.Remove(victim));
                            Assert.False(queue.Remove(victim));
                            model.Remove(victim);
                        }

                        break;
                }

                Assert.Equal(model.Count, queue.Count);
            }
        });
    }

    private static SubmittedItem Task(long id, int priority) =>
        new SubmittedItem(_ => System.Threading.Tasks.Task.CompletedTask, new TaskOptions { Priority = priority }) { Id = id };

    private static List<long> DrainIds(TaskQueue queue)
    {
        var ids = new List<long>();
        while (queue.TryDequeue(out var task))
        {
            ids.Add(task.Id);
        }

        return ids;
    }
}
