using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ActorPool.Benchmarks.Suite;

/// <summary>Names the row of issue 10 a benchmark class measures and how many tasks one invocation runs.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BenchRowAttribute(Row row) : Attribute
{
    public Row Row { get; } = row;

    /// <summary>Tasks per invocation, to turn per-invocation figures into per-task ones; 1 where that means nothing.</summary>
    public int Tasks { get; init; } = 1;

    /// <summary>What one invocation would take with no overhead at all, for the "x ideal" column; 0 where that means nothing.</summary>
    public double IdealMilliseconds { get; init; }
}

/// <summary>The columns every benchmark class shows: per-task figures, side figures and the targets with their verdicts.</summary>
public sealed class SuiteConfig : ManualConfig
{
    public SuiteConfig()
    {
        AddColumn(StatisticColumn.Median);
        AddColumn(
            new FigureColumn("tasks/s", Measure.Throughput, "Tasks per second (tasks per invocation / median)"),
            new FigureColumn("B/task", Measure.BytesPerTask, "Bytes allocated on all threads per task (GC.GetTotalAllocatedBytes(true), BenchmarkDotNet's extra memory iteration)"),
            new FigureColumn("gen2/run", Measure.Gen2, "Gen2 collections during one invocation (BenchmarkDotNet's extra memory iteration)"),
            new FigureColumn("B/queued", Measure.QueuedBytes, "Heap bytes held per queued task, median over iterations"),
            new FigureColumn("p50 us", Measure.P50, "Median round trip at 10,000 tasks/s, median over iterations"),
            new FigureColumn("p99 us", Measure.P99, "99th-percentile round trip at 10,000 tasks/s, median over iterations"),
            new FigureColumn("x ideal", Measure.TimesIdeal, "Median time over the ideal time of the same work (tasks x duration / workers)"),
            new TargetColumn());
    }
}

/// <summary>A contender's figure for a measure in a summary, looked up the same way for its own row and for its baselines.</summary>
internal static class Figures
{
    public static BenchRowAttribute? RowOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.Type.GetCustomAttribute<BenchRowAttribute>();

    /// <summary>The contender a benchmark method runs: its description, which is the contender's name.</summary>
    public static string ContenderOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');

    /// <summary>The figure of <paramref name="contender"/> measured beside <paramref name="benchmarkCase"/>: same class, parameters and job.</summary>
    public static double? Of(Summary summary, BenchmarkCase benchmarkCase, string contender, Measure measure)
    {
        var match = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Parameters.Equals(benchmarkCase.Parameters)
            && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
            && ContenderOf(c) == contender);
        return match is null ? null : Of(summary, match, measure);
    }

    public static double? Of(Summary summary, BenchmarkCase benchmarkCase, Measure measure)
    {
        var report = summary[benchmarkCase];
        var tasks = RowOf(benchmarkCase)?.Tasks ?? 1;
        var method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        var type = benchmarkCase.Descriptor.Type;
        var median = report?.ResultStatistics?.Median;
        var gc = report?.GcStats;
        return measure switch
        {
            Measure.Throughput => median is > 0 ? tasks * 1e9 / median : null,
            Measure.Milliseconds => median / 1e6,
            Measure.BytesPerTask => gc is { TotalOperations: > 0 } g && g.GetBytesAllocatedPerOperation(benchmarkCase) is { } b ? (double)b / tasks : null,
            Measure.Gen2 => gc is { TotalOperations: > 0 } g ? g.Gen2Collections * (double)benchmarkCase.Descriptor.OperationsPerInvoke / g.TotalOperations : null,
            Measure.QueuedBytes => SideMetrics.Read(type, method, SideMetrics.QueuedBytes),
            Measure.P50 => SideMetrics.Read(type, method, SideMetrics.P50Microseconds),
            Measure.P99 => SideMetrics.Read(type, method, SideMetrics.P99Microseconds),
            Measure.TimesIdeal => median is > 0 && RowOf(benchmarkCase) is { IdealMilliseconds: > 0 } row ? median / 1e6 / row.IdealMilliseconds : null,
            _ => null,
        };
    }
}

/// <summary>One figure per benchmark; hidden for classes where it was not measured.</summary>
internal sealed class FigureColumn(string name, Measure measure, string legend) : IColumn
{
    public string Id => nameof(FigureColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)measure;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (!Applies(benchmarkCase) || Figures.Of(summary, benchmarkCase, measure) is not { } value || double.IsNaN(value))
        {
            return "-";
        }

        return measure switch
        {
            Measure.Throughput => value >= 1e6
                ? string.Create(CultureInfo.InvariantCulture, $"{value / 1e6:F2}M")
                : string.Create(CultureInfo.InvariantCulture, $"{value / 1e3:F1}k"),
            Measure.Gen2 => value.ToString("0.##", CultureInfo.InvariantCulture),
            Measure.TimesIdeal => value.ToString("0.00", CultureInfo.InvariantCulture),
            _ => value.ToString("0", CultureInfo.InvariantCulture),
        };
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase) == "-";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => !IsDefault(summary, c));

    // Tasks per second and per-task bytes only mean something where one invocation is many tasks.
    private bool Applies(BenchmarkCase benchmarkCase) => measure switch
    {
        Measure.Throughput or Measure.BytesPerTask or Measure.Gen2 => Figures.RowOf(benchmarkCase) is { Tasks: > 1 },
        _ => true,
    };
}

/// <summary>The benchmark's ratio against its reference baseline and each target of issue 10 for its contender, with whether it is met, from this run.</summary>
internal sealed class TargetColumn : IColumn
{
    public string Id => nameof(TargetColumn);

    public string ColumnName => "vs baseline / target";

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 100;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Ratio contender / named baseline of the same run (throughput: higher is better; bytes, latency: lower), or the contender's own figure, against the issue's limit; medians";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (Figures.RowOf(benchmarkCase) is not { } row)
        {
            return "-";
        }

        var cell = Target.Cell(row.Row, Figures.ContenderOf(benchmarkCase), (contender, measure) => Figures.Of(summary, benchmarkCase, contender, measure));
        return cell.Length == 0 ? "-" : cell;
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase) == "-";

    public bool IsAvailable(Summary summary) => true;
}
