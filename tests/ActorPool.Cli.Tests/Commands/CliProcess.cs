using System.Diagnostics;

namespace ActorPool.Cli.Tests.Commands;

/// <summary>The CLI as a real child process, with its output lines observable as they arrive.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _output = [];
    private readonly List<string> _error = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    private CliProcess(Process process) => _process = process;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _error);
            }
        }
    }

    /// <summary>How to run the built CLI with <paramref name="args"/>, its output redirected, and extra environment variables.</summary>
    public static ProcessStartInfo StartInfo(IDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ActorPool.Cli.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    public static CliProcess Start(params string[] args) => StartWithInput(null, args);

    /// <summary>Starts the CLI; with <paramref name="input"/>, that text is its stdin (then closed).</summary>
    public static CliProcess StartWithInput(string? input, params string[] args)
    {
        var info = StartInfo(null, args);
        info.RedirectStandardInput = input is not null;
        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Received(e.Data, cli._output);
        process.ErrorDataReceived += (_, e) => cli.Received(e.Data, cli._error);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        return cli;
    }

    /// <summary>Completes when a line matching <paramref name="match"/> has been printed on stdout or stderr.</summary>
    public Task WaitForLineAsync(Func<string, bool> match)
    {
        lock (_gate)
        {
            if (_output.Any(match) || _error.Any(match))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, seen));
            return seen.Task;
        }
    }

    /// <summary>Sends a POSIX signal, as Ctrl+C (INT) or a service manager (TERM) would.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills the process with SIGKILL: a crash, with no chance to clean up or leave a cluster.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits for exit and for the output to be fully read.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan patience)
    {
        await _process.WaitForExitAsync().WaitAsync(patience);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Received(string? line, List<string> into)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            into.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
