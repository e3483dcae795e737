using System.Globalization;
using ActorPool.Benchmarks.Contenders;
using ActorPool.Benchmarks.Scenarios;

namespace ActorPool.Benchmarks;

/// <summary>The workloads of issue 10, one per row group of the tables.</summary>
public enum Row
{
    /// <summary>No-op tasks: the pool's own cost per task.</summary>
    Overhead,

    /// <summary>2,000 × 10 ms timers on 100 workers.</summary>
    IoBound,

    /// <summary>20,000 × 50 µs of spinning on 2 workers.</summary>
    CpuBound,

    /// <summary>Cancelling the start token with 100 busy workers and 10,000 pending tasks, until stopped.</summary>
    CancelToStopped,

    /// <summary>Heap held per task waiting in the queue.</summary>
    QueuedMemory,

    /// <summary>Round-trip latency under a paced load of 10,000 tasks/s.</summary>
    Latency,

    /// <summary>No-op named tasks on a cluster of three worker nodes, submitted from a fourth node with no workers (issue 12).</summary>
    ClusterNoOp,

    /// <summary>2,000 × 20 ms named tasks on three nodes × eight workers, against the ideal wall time (issue 12).</summary>
    ClusterWall,

    /// <summary>No-op named tasks through <c>SubmitManyAsync</c> on a durable pool journaled in a SQLite file (issue 13).</summary>
    DurableNoOp,

    /// <summary>A new durable pool reading back 10,000 outcomes and 1,000 unfinished tasks, then running those (issue 13).</summary>
    DurableRecovery,

    /// <summary>No-op <c>RunAsync</c> with the dashboard absent, mapped and unread, and open in a page (issue 18).</summary>
    DashboardOpen,

    /// <summary>Pages of the failed list of a durable pool holding 100,000 failed tasks (issue 18).</summary>
    DashboardPaging,
}

/// <summary>What a target compares.</summary>
public enum Measure
{
    /// <summary>Tasks per second (or batches per second): higher is better.</summary>
    Throughput,

    /// <summary>Bytes allocated on all threads per task.</summary>
    BytesPerTask,

    /// <summary>Gen2 collections during one measured run.</summary>
    Gen2,

    /// <summary>Elapsed milliseconds of one operation.</summary>
    Milliseconds,

    /// <summary>Heap bytes held per queued task.</summary>
    QueuedBytes,

    /// <summary>Median round trip.</summary>
    P50,

    /// <summary>99th-percentile round trip.</summary>
    P99,

    /// <summary>Elapsed time over the ideal time of the same work (tasks × duration ÷ workers): lower is better, 1 is perfect.</summary>
    TimesIdeal,

    /// <summary>95th percentile of one request, in milliseconds.</summary>
    P95,

    /// <summary>Memory grown, in megabytes.</summary>
    Megabytes,
}

/// <summary>How a measured figure must relate to its limit.</summary>
public enum Comparison
{
    AtLeast,
    AtMost,
    Below,
}

/// <summary>
/// One target of issue 10. With a <see cref="Baseline"/> the figure compared is the ratio
/// contender ÷ baseline of <see cref="Measure"/> (both measured in the same run); without one it
/// is the contender's own figure.
/// </summary>
public sealed record Target(Row Row, string Contender, Measure Measure, string? Baseline, Comparison Comparison, double Limit)
{
    /// <summary>
    /// Every target of issue 10, in one list so that the quick table and the BenchmarkDotNet
    /// columns cannot disagree about them.
    /// </summary>
    public static readonly IReadOnlyList<Target> All =
    [
        // Issue 17: default options, awaited callers, the plain untimed Ask as the Akka baseline.
        new(Row.Overhead, ActorPoolContender.RunName, Measure.Throughput, AkkaRoundRobinContender.ContenderName, Comparison.AtLeast, 1.5),
        new(Row.Overhead, ActorPoolContender.RunName, Measure.Throughput, ChannelsPool.CompletionName, Comparison.AtLeast, 0.5),
        new(Row.Overhead, ActorPoolContender.RunName, Measure.BytesPerTask, null, Comparison.AtMost, 250),
        new(Row.Overhead, ActorPoolContender.RunName, Measure.Gen2, null, Comparison.AtMost, 0),
        new(Row.Overhead, ActorPoolContender.RunKeyedName, Measure.Throughput, ActorPoolContender.RunName, Comparison.AtLeast, 0.7),
        new(Row.Overhead, ActorPoolContender.SubmitName, Measure.Throughput, ChannelsPool.CountedName, Comparison.AtLeast, 0.6),
        new(Row.Overhead, ActorPoolContender.SubmitName, Measure.BytesPerTask, null, Comparison.AtMost, 150),
        new(Row.Overhead, ActorPoolContender.SubmitName, Measure.Gen2, null, Comparison.AtMost, 0),
        new(Row.Overhead, ActorPoolContender.SubmitManyName, Measure.Throughput, ChannelsPool.CountedName, Comparison.AtLeast, 0.70),

        // "Within 5 % of the Channels pool": each call style against the Channels pool that gives
        // its caller the same thing (a count, or a completion per task).
        new(Row.IoBound, ActorPoolContender.SubmitName, Measure.Throughput, ChannelsPool.CountedName, Comparison.AtLeast, 0.95),
        new(Row.IoBound, ActorPoolContender.RunName, Measure.Throughput, ChannelsPool.CompletionName, Comparison.AtLeast, 0.95),
        new(Row.CpuBound, ActorPoolContender.SubmitName, Measure.Throughput, ChannelsPool.CountedName, Comparison.AtLeast, 0.95),
        new(Row.CpuBound, ActorPoolContender.RunName, Measure.Throughput, ChannelsPool.CompletionName, Comparison.AtLeast, 0.95),

        new(Row.CancelToStopped, ActorPoolContender.SubmitName, Measure.Milliseconds, null, Comparison.Below, 10),
        new(Row.CancelToStopped, ActorPoolContender.RunName, Measure.Milliseconds, null, Comparison.Below, 10),

        new(Row.QueuedMemory, ActorPoolContender.RunName, Measure.QueuedBytes, ChannelsPool.CompletionName, Comparison.AtMost, 2),

        new(Row.Latency, ActorPoolContender.RunName, Measure.P50, ChannelsPool.CompletionName, Comparison.AtMost, 1.5),
        new(Row.Latency, ActorPoolContender.RunName, Measure.P99, ChannelsPool.CompletionName, Comparison.AtMost, 2),
        new(Row.Latency, ActorPoolContender.RunName, Measure.P99, AkkaRoundRobinContender.ContenderName, Comparison.Below, 1),

        // Issue 12: the cluster has no in-process baseline; its targets are absolute.
        new(Row.ClusterNoOp, ClusterScenario.ContenderName, Measure.Throughput, null, Comparison.AtLeast, 30_000),
        new(Row.ClusterWall, ClusterScenario.ContenderName, Measure.TimesIdeal, null, Comparison.AtMost, 1.2),

        // Issue 13: accepted and run, journaled on SQLite; recovery has no target, only its time.
        new(Row.DurableNoOp, DurableScenario.ContenderName, Measure.Throughput, null, Comparison.AtLeast, 5_000),

        // Issue 18: nothing measurable while nobody reads the dashboard, within 5 % with a page
        // open; the failed list of 100,000 pages fast and without loading them all.
        new(Row.DashboardOpen, DashboardScenario.ClosedName, Measure.Throughput, DashboardScenario.NoDashboardName, Comparison.AtLeast, 0.95),
        new(Row.DashboardOpen, DashboardScenario.OpenName, Measure.Throughput, DashboardScenario.ClosedName, Comparison.AtLeast, 0.95),
        new(Row.DashboardPaging, DashboardScenario.PagingName, Measure.P95, null, Comparison.Below, 300),
        new(Row.DashboardPaging, DashboardScenario.PagingName, Measure.Megabytes, null, Comparison.Below, 50),
    ];

    /// <summary>The targets of one contender in one row, in the order above.</summary>
    public static IEnumerable<Target> For(Row row, string contender) =>
        All.Where(t => t.Row == row && t.Contender == contender);

    /// <summary>
    /// The baseline a contender is compared with where no target of its own names one: each call
    /// style against the Channels pool that gives its caller the same thing.
    /// </summary>
    public static (string Baseline, Measure Measure)? Reference(Row row, string contender)
    {
        if (row is Row.ClusterNoOp or Row.ClusterWall or Row.DurableNoOp or Row.DurableRecovery or Row.DashboardOpen or Row.DashboardPaging)
        {
            return null; // nothing else runs across nodes, journals or serves a dashboard
        }

        var measure = row switch
        {
            Row.CancelToStopped => Measure.Milliseconds,
            Row.QueuedMemory => Measure.QueuedBytes,
            Row.Latency => Measure.P50,
            _ => Measure.Throughput,
        };
        var baseline = (row, contender) switch
        {
            (Row.QueuedMemory or Row.Latency, _) => ChannelsPool.CompletionName,
            (_, ActorPoolContender.RunName) => ChannelsPool.CompletionName,
            _ => ChannelsPool.CountedName,
        };
        return baseline == contender ? null : (baseline, measure);
    }

    /// <summary>
    /// The comparison cell of a contender's row: its ratio against its reference baseline (unless
    /// a target already gives it), then each of its targets with its verdict.
    /// </summary>
    /// <param name="row">The row group.</param>
    /// <param name="contender">The contender whose row it is.</param>
    /// <param name="figure">A contender's figure for a measure, or null where it was not measured.</param>
    public static string Cell(Row row, string contender, Func<string, Measure, double?> figure)
    {
        var targets = For(row, contender).ToList();
        var parts = new List<string>();
        if (Reference(row, contender) is { } reference
            && !targets.Any(t => t.Baseline == reference.Baseline && t.Measure == reference.Measure))
        {
            var ratio = Ratio(figure(contender, reference.Measure), figure(reference.Baseline, reference.Measure));
            parts.Add($"{Label(reference.Measure, reference.Baseline)} {(ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "n/a")}");
        }

        parts.AddRange(targets.Select(t => t.Describe(figure)));
        return string.Join("; ", parts);
    }

    /// <summary>
    /// Evaluates the target, e.g. "vs Akka RoundRobinPool + Ask 1.62 ≥ 1.5 met" or "B/task 212 ≤ 300 met".
    /// </summary>
    /// <param name="figure">A contender's figure for a measure, or null where it was not measured.</param>
    public string Describe(Func<string, Measure, double?> figure)
    {
        var own = figure(Contender, Measure);
        var value = Baseline is null ? own : Ratio(own, figure(Baseline, Measure));
        var op = Comparison switch
        {
            Comparison.AtLeast => "≥",
            Comparison.AtMost => "≤",
            _ => "<",
        };
        var limit = Limit.ToString("0.##", CultureInfo.InvariantCulture);
        var label = Label(Measure, Baseline);
        if (value is not { } v || double.IsNaN(v))
        {
            return $"{label} n/a {op} {limit} not measured";
        }

        var met = Comparison switch
        {
            Comparison.AtLeast => v >= Limit,
            Comparison.AtMost => v <= Limit,
            _ => v < Limit,
        };
        var shown = Baseline is null && Measure is not (Measure.Milliseconds or Measure.TimesIdeal or Measure.P95 or Measure.Megabytes)
            ? v.ToString("0", CultureInfo.InvariantCulture)
            : v.ToString("0.00", CultureInfo.InvariantCulture);
        return $"{label} {shown} {op} {limit} {(met ? "met" : "missed")}";
    }

    private static double? Ratio(double? own, double? baseline) =>
        own is { } o && baseline is { } b && b > 0 && !double.IsNaN(o) ? o / b : null;

    // A ratio's label says what is divided: throughput is "vs X" (higher is better), every other
    // measure names itself (a cost: lower is better).
    private static string Label(Measure measure, string? baseline) => (baseline, measure) switch
    {
        (null, Measure.BytesPerTask) => "B/task",
        (null, Measure.Gen2) => "gen2",
        (null, Measure.Milliseconds) => "ms",
        (null, Measure.TimesIdeal) => "x ideal",
        (null, Measure.P95) => "p95 ms",
        (null, Measure.Megabytes) => "MB grown",
        (null, Measure.Throughput) => "tasks/s",
        (null, _) => measure.ToString(),
        (_, Measure.Throughput) => $"vs {baseline}",
        (_, Measure.Milliseconds) => $"time vs {baseline}",
        (_, Measure.QueuedBytes) => $"B/queued vs {baseline}",
        (_, Measure.BytesPerTask) => $"B/task vs {baseline}",
        _ => $"{measure.ToString().ToLowerInvariant()} vs {baseline}",
    };
}
