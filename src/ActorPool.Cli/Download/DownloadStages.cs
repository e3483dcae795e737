using System.Globalization;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Polly;
using Polly.Timeout;

namespace ActorPool.Cli.Download;

/// <summary>
/// The work of the three pipeline stages. Each method runs as one ActorPool task and returns the
/// job instead of throwing, so one bad file never fails the stream.
/// </summary>
internal sealed partial class DownloadStages
{
    private const int BufferSize = 64 * 1024;
    private static readonly ResiliencePropertyKey<DownloadJob> JobKey = new("actorpool.download.job");

    private readonly DownloadSettings _settings;
    private readonly HttpClient _http;
    private readonly BandwidthLimiter? _bandwidth;
    private readonly RateLimiter? _requests;
    private readonly HostThrottles _hosts;
    private readonly DownloadProgress _progress;
    private readonly TimeProvider _time;
    private readonly CancellationToken _hardStop;
    private readonly ResiliencePipeline<Attempt> _fetch;

    /// <summary>Creates the stages of one run.</summary>
    public DownloadStages(
        DownloadSettings settings,
        HttpClient http,
        BandwidthLimiter? bandwidth,
        RateLimiter? requests,
        HostThrottles hosts,
        DownloadProgress progress,
        TimeProvider time,
        CancellationToken hardStop)
    {
        _settings = settings;
        _http = http;
        _bandwidth = bandwidth;
        _requests = requests;
        _hosts = hosts;
        _progress = progress;
        _time = time;
        _hardStop = hardStop;
        _fetch = BuildFetchPipeline(settings, progress, time);
    }

    /// <summary>Validate: parses the line; bad lines end here as <see cref="FileOutcome.Invalid"/>.</summary>
    public static Task<DownloadJob> ValidateAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        if (job.Outcome is null)
        {
            var request = UrlList.TryParse(job.Line, out var error);
            if (request is null)
            {
                job.End(FileOutcome.Invalid, error);
            }
            else
            {
                job.Request = job.ReservedName is { } name ? request with { FileName = name } : request;
            }
        }

        return Task.FromResult(job);
    }

    /// <summary>Download: skips a file already present, else streams the body to <c>.part</c>, with retries, limits and the per-file timeout.</summary>
    public async Task<DownloadJob> DownloadAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        _progress.Dequeued();
        if (job.Outcome is not null || job.Request is null)
        {
            return job;
        }

        if (_progress.ShuttingDown)
        {
            return job.End(FileOutcome.Dropped, "shutdown before it started");
        }

        job.FinalPath = Path.Combine(_settings.Output, job.Request.FileName);
        using var perFile = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _hardStop);
        if (!_settings.Overwrite && File.Exists(job.FinalPath))
        {
            return await CheckPresentAsync(job, perFile.Token);
        }

        job.Started = true;
        job.StartedAt = _time.GetTimestamp();
        job.TempPath = job.FinalPath + ".part";
        var slot = _progress.Occupy(job.Name);
        try
        {
            await FetchAsync(job, slot, perFile.Token);
        }
        catch (OperationCanceledException) when (_hardStop.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            var length = Volatile.Read(ref slot.Length);
            job.End(FileOutcome.Cancelled, length > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{100 * slot.Bytes / length}% complete")
                : $"{DownloadFormat.Size(slot.Bytes)} received");
        }
        catch (TimeoutRejectedException)
        {
            job.End(FileOutcome.Failed, $"timed out after {DownloadFormat.Duration(_settings.Timeout)}");
        }
        catch (DownloadFailedException ex)
        {
            job.End(FileOutcome.Failed, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            job.End(FileOutcome.Failed, ex.Message);
        }
        finally
        {
            _progress.Free(slot);
            job.EndedAt = _time.GetTimestamp();
            if (job.Outcome is not null)
            {
                ReleasePart(job);
            }
        }

        return job;
    }

    /// <summary>Checksum: verifies the SHA-256 when asked, then renames the temporary file to its final name.</summary>
    public async Task<DownloadJob> ChecksumAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        if (job.Outcome is not null || job.Request is null || job.TempPath is null)
        {
            return job;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _hardStop);
        try
        {
            if (_settings.Verify || _settings.ReportPath is not null)
            {
                job.Sha256 = await Sha256Async(job.TempPath, stop.Token);
            }

            if (_settings.Verify)
            {
                var actual = job.Sha256!;
                if (job.Request.ExpectedSha256 is not { } expected)
                {
                    job.Detail = $"sha256 {actual[..16]}…, none expected";
                }
                else if (actual != expected)
                {
                    // Wrong bytes are never worth resuming.
                    DeleteQuietly(job.TempPath);
                    return job.End(FileOutcome.Failed, $"checksum mismatch: expected {expected[..16]}…, got {actual[..16]}…");
                }
                else
                {
                    job.Detail = "✓ checksum verified";
                }
            }

            File.Move(job.TempPath, job.FinalPath!, overwrite: true);
            job.TempPath = null;
            return job;
        }
        catch (OperationCanceledException)
        {
            ReleasePart(job.End(FileOutcome.Cancelled, "during checksum"));
            return job;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeleteQuietly(job.TempPath);
            return job.End(FileOutcome.Failed, ex.Message);
        }
    }

    /// <summary>All three stages in one task: the plain worker-pool mode without <c>--pipeline</c>.</summary>
    public async Task<DownloadJob> AllAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        await ValidateAsync(job, cancellationToken);
        await DownloadAsync(job, cancellationToken);
        return await ChecksumAsync(job, cancellationToken);
    }

    /// <summary>A file of this name is already in the output folder and <c>--overwrite</c> was not given: never replace it silently.</summary>
    private async Task<DownloadJob> CheckPresentAsync(DownloadJob job, CancellationToken cancellationToken)
    {
        var path = job.FinalPath!;
        try
        {
            job.Bytes = new FileInfo(path).Length;
            if (job.Request!.ExpectedSha256 is { } expected)
            {
                job.Sha256 = await Sha256Async(path, cancellationToken);
                return job.Sha256 == expected
                    ? job.End(FileOutcome.Skipped, "already present, SHA-256 matches")
                    : job.End(FileOutcome.Failed, $"{job.Name} is already present with a different SHA-256 ({job.Sha256[..16]}…); --overwrite replaces it");
            }

            if (_settings.ReportPath is not null)
            {
                job.Sha256 = await Sha256Async(path, cancellationToken);
            }

            return job.End(FileOutcome.Skipped, "already present; --overwrite replaces it");
        }
        catch (OperationCanceledException)
        {
            return job.End(FileOutcome.Cancelled, "while checking the present file");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return job.End(FileOutcome.Failed, ex.Message);
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(file, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// A download that ended without a file: with <c>--continue</c>, a non-empty <c>.part</c>
    /// stays for the next run to resume; otherwise it goes, so a run never leaves partial files.
    /// </summary>
    private void ReleasePart(DownloadJob job)
    {
        if (job.TempPath is not { } part)
        {
            return;
        }

        if (_settings.Continue && job.Outcome is FileOutcome.Cancelled or FileOutcome.Failed && File.Exists(part) && new FileInfo(part).Length > 0)
        {
            job.Detail = $"{job.Detail}; kept {Path.GetFileName(part)} for --continue";
            return;
        }

        DeleteQuietly(part);
    }

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a .part name can be left behind, never a final one.
        }
    }
}
