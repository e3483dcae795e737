using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ActorPool.Cli.Download;

/// <summary>The worker pools behind the pipeline's stages, one per stage.</summary>
internal sealed record StagePools(WorkerPool Validate, int ValidateParallelism, WorkerPool Download, int DownloadParallelism, WorkerPool Checksum, int ChecksumParallelism);

/// <summary>
/// The Akka.Streams graph: URL file → validate → download → checksum → report.
/// </summary>
/// <remarks>
/// Each stage fans out to an ActorPool's workers through <c>SelectAsyncUnordered</c> and merges
/// their results back into one stream in completion order (fan-in). Its parallelism bounds how
/// many jobs a stage holds, so demand flows back to the file reader: a slow stage slows the
/// source, and memory stays flat however long the URL list is.
/// </remarks>
internal static class DownloadPipeline
{
    /// <summary>Starts the stream; the kill switch stops reading new lines, the task completes when every read line is reported.</summary>
    public static (UniqueKillSwitch Intake, Task<Done> Completion) Run(
        string urlFile,
        StagePools pools,
        DownloadStages stages,
        DownloadProgress progress,
        bool separateStages,
        IMaterializer materializer)
    {
        var names = new FileNames();
        var source = UrlList.Read(urlFile)
            .Select(line =>
            {
                // Runs once per line, in file order: the one place where names can be given
                // the same way in every run, however the workers finish.
                progress.LineRead(line.LineNumber);
                return new DownloadJob(line) { ReservedName = names.Reserve(line) };
            })
            .ViaMaterialized(KillSwitches.Single<DownloadJob>(), Keep.Right);

        var jobs = separateStages
            ? source
                .Via(OnPool(pools.Validate, pools.ValidateParallelism, DownloadStages.ValidateAsync))
                .Via(OnPool(pools.Download, pools.DownloadParallelism, stages.DownloadAsync, progress.Enqueued))
                .Via(OnPool(pools.Checksum, pools.ChecksumParallelism, stages.ChecksumAsync))
            : source.Via(OnPool(pools.Download, pools.DownloadParallelism, stages.AllAsync, progress.Enqueued));

        return jobs
            .ToMaterialized(Sink.ForEach<DownloadJob>(job => progress.Record(job)), Keep.Both)
            .Run(materializer);
    }

    /// <summary>A stage that runs <paramref name="work"/> on <paramref name="pool"/>, at most <paramref name="parallelism"/> jobs at once.</summary>
    private static Flow<DownloadJob, DownloadJob, NotUsed> OnPool(
        WorkerPool pool,
        int parallelism,
        Func<DownloadJob, CancellationToken, Task<DownloadJob>> work,
        Action? beforeSubmit = null) =>
        Flow.Create<DownloadJob>().SelectAsyncUnordered(parallelism, async job =>
        {
            beforeSubmit?.Invoke();
            try
            {
                return await pool.RunAsync(ct => work(job, ct), new TaskOptions { Id = job.Name });
            }
            catch (Exception ex) when (ex is SubmitRejectedException or TimeoutException or OperationCanceledException)
            {
                // The pool refused or lost the task; the job still gets exactly one outcome.
                return job.End(job.Started ? FileOutcome.Cancelled : FileOutcome.Dropped, ex.Message);
            }
        });
}

/// <summary>
/// File names by line: a line gets its URL's last path segment unless an earlier line of the
/// file already has that name, in which case <c>-&lt;line&gt;</c> is appended. Given in line
/// order, so a re-run maps every line to the same file and can find it present.
/// </summary>
internal sealed class FileNames
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>The name for <paramref name="line"/>, or null when its URL does not parse (validation reports it).</summary>
    public string? Reserve(UrlLine line)
    {
        var first = line.Text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
        if (!Uri.TryCreate(first, UriKind.Absolute, out var url))
        {
            return null;
        }

        var name = UrlList.FileNameFor(url, line.LineNumber);
        if (_taken.Add(name))
        {
            return name;
        }

        var numbered = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(name)}-{line.LineNumber}{Path.GetExtension(name)}");
        _taken.Add(numbered);
        return numbered;
    }
}
