using System.Runtime.InteropServices;

namespace ActorPool.Cli;

/// <summary>
/// Ctrl+C and SIGTERM as two tokens: the first signal asks for a graceful stop, the second for
/// an immediate one, and a third is left to the runtime, which ends the process.
/// </summary>
/// <remarks>
/// We handle the signals ourselves instead of System.CommandLine, whose handler returns 130
/// after <c>ProcessTerminationTimeout</c> (2 s) even while the command is still draining, so
/// a shutdown summary printed later was lost.
/// </remarks>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _graceful = new();
    private readonly CancellationTokenSource _immediate = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    /// <summary>Cancelled by the first signal: stop taking new work, let running work finish.</summary>
    public CancellationToken Graceful => _graceful.Token;

    /// <summary>Cancelled by the second signal: cancel running work now.</summary>
    public CancellationToken Immediate => _immediate.Token;

    /// <summary>Listens for SIGINT (Ctrl+C) and SIGTERM.</summary>
    public static ShutdownSignal FromProcess()
    {
        var signal = new ShutdownSignal();
        foreach (var posix in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            signal._registrations.Add(PosixSignalRegistration.Create(posix, context => context.Cancel = signal.Request()));
        }

        return signal;
    }

    /// <summary>Records one signal; returns false when it is the third, to let the process end.</summary>
    public bool Request()
    {
        switch (Interlocked.Increment(ref _signals))
        {
            case 1:
                _graceful.Cancel();
                return true;
            case 2:
                _immediate.Cancel();
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _graceful.Dispose();
        _immediate.Dispose();
    }
}
