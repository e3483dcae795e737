using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;

namespace ActorPool.Cli.Download;

// The download stage's fetch: HTTP attempts under Polly's retries and timeout, and the copy to disk.
internal sealed partial class DownloadStages
{
    /// <summary>One HTTP attempt's result: done, or why not and whether another attempt may help.</summary>
    private readonly record struct Attempt(bool Done, string? Failure, bool Transient, TimeSpan? RetryAfter)
    {
        public static Attempt Success { get; } = new(true, null, false, null);
    }

    /// <summary>
    /// Retries and the per-file timeout, from Polly: the timeout is outermost, so it covers every
    /// attempt and every wait between them, as <c>--timeout</c> promises. The delays come from
    /// <see cref="RetryPolicy.DelayAfter"/> (exponential, or the server's Retry-After even when
    /// longer than the cap), so that rule stays a plain test.
    /// </summary>
    private static ResiliencePipeline<Attempt> BuildFetchPipeline(DownloadSettings settings, DownloadProgress progress, TimeProvider time)
    {
        var retry = settings.Retry;
        var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = time }.AddTimeout(settings.Timeout);
        if (retry.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    // Connection refused or reset, or the body ended early.
                    { Exception: HttpRequestException or HttpIOException } => !args.Context.CancellationToken.IsCancellationRequested,
                    { Result.Transient: true } => true,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(retry.DelayAfter(args.AttemptNumber + 1, args.Outcome.Result.RetryAfter)),
                OnRetry = args =>
                {
                    var job = args.Context.Properties.GetValue(JobKey, null!);
                    var failure = args.Outcome.Exception?.Message ?? args.Outcome.Result.Failure;
                    progress.Notice(string.Create(CultureInfo.InvariantCulture, $"⚠ {job.Name}: {failure}; attempt {args.AttemptNumber + 2}/{retry.MaxAttempts} in {DownloadFormat.Duration(args.RetryDelay)}"));
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private async Task FetchAsync(DownloadJob job, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(JobKey, job);
        Attempt last;
        try
        {
            last = await _fetch.ExecuteAsync(
                static (ctx, state) => state.Self.AttemptAsync(state.Job, state.Slot, ctx.CancellationToken),
                context,
                (Self: this, Job: job, Slot: slot));
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpIOException && !cancellationToken.IsCancellationRequested)
        {
            throw new DownloadFailedException(GaveUp(ex.Message, job.Attempts), ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (!last.Done)
        {
            throw new DownloadFailedException(last.Transient ? GaveUp(last.Failure!, job.Attempts) : last.Failure!);
        }
    }

    private static string GaveUp(string failure, int attempts) =>
        attempts > 1 ? string.Create(CultureInfo.InvariantCulture, $"{failure}; gave up after {attempts} attempts") : failure;

    private async ValueTask<Attempt> AttemptAsync(DownloadJob job, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var request = job.Request!;
        job.Attempts++;
        var host = _hosts.For(request.Url);
        await host.WaitAsync(cancellationToken);
        if (_requests is not null)
        {
            using var lease = await _requests.AcquireAsync(1, cancellationToken);
        }

        _progress.RequestStarted();
        var offset = _settings.Continue && File.Exists(job.TempPath) ? new FileInfo(job.TempPath!).Length : 0;
        var response = await SendAsync(request.Url, offset, cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            // The kept part is as long as the file or longer: it cannot be extended, so start over.
            response.Dispose();
            _progress.Notice($"⚠ {job.Name}: the kept .part does not fit the file on the server; downloading in full");
            DeleteQuietly(job.TempPath);
            offset = 0;
            response = await SendAsync(request.Url, offset, cancellationToken);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                host.Succeeded();
                var resumed = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == offset;
                if (offset > 0 && !resumed)
                {
                    _progress.Notice($"⚠ {job.Name}: the server ignored the Range request; downloading in full");
                }

                var start = resumed ? offset : 0;
                slot.Reset(job.Name, Volatile.Read(ref slot.StartedAt), start);
                Volatile.Write(ref slot.Length, response.Content.Headers.ContentLength is { } length ? start + length : -1);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                job.Bytes = start + await CopyAsync(body, job.TempPath!, append: resumed, slot, cancellationToken);
                return Attempt.Success;
            }

            var failure = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            var retryAfter = RetryPolicy.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow());
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable || retryAfter is not null)
            {
                var rate = host.Throttled(retryAfter);
                _progress.Notice(HostThrottles.Notice(host.Host, rate));
            }

            return new Attempt(false, failure, RetryPolicy.IsTransient(response.StatusCode), retryAfter);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, long offset, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0)
        {
            message.Headers.Range = new RangeHeaderValue(offset, null);
        }

        return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task<long> CopyAsync(Stream body, string path, bool append, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var chunk = Math.Min(buffer.Length, _bandwidth?.MaxChunk ?? BufferSize);
            await using var file = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, chunk), cancellationToken)) > 0)
            {
                if (_bandwidth is not null)
                {
                    await _bandwidth.WaitAsync(read, cancellationToken);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                _progress.Transferred(slot, read);
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
