using Microsoft.Extensions.Options;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Shutdown;

/// <summary>
/// The SIGTERM drain. As an <see cref="IHostedLifecycleService"/> its <see cref="StoppingAsync"/> runs before any
/// hosted service's StopAsync, so Kestrel still serves the live calls and the audit writer still takes their records
/// while they finish: refuse new calls (readiness fails), wait up to <c>Shutdown:DrainSeconds</c> for the live calls
/// to end on their own, then stop the rest with <see cref="CallEndReason.ServerShutdown"/> and wait for their close.
/// </summary>
internal sealed partial class CallDrain(
    CallAdmission admission,
    CallRegistry registry,
    IHostApplicationLifetime lifetime,
    IOptions<ShutdownOptions> options,
    TimeProvider time,
    ILogger<CallDrain> logger) : IHostedLifecycleService
{
    private CancellationTokenRegistration _stopping;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Readiness turns false the moment the host is told to stop, before any stopping work is scheduled.
        _stopping = lifetime.ApplicationStopping.Register(admission.BeginDrain);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        admission.BeginDrain();
        var settings = options.Value;
        var live = registry.Count;
        LogDrainStarted(logger, live, settings.DrainSeconds);
        if (live > 0 && !await EndsWithinAsync(TimeSpan.FromSeconds(settings.DrainSeconds), cancellationToken))
        {
            var remaining = registry.Snapshot();
            LogDrainTimedOut(logger, remaining.Count);
            foreach (var (call, _) in remaining)
            {
                call.Stop(CallEndReason.ServerShutdown, "server shutting down");
            }

            if (!await EndsWithinAsync(TimeSpan.FromSeconds(settings.CloseSeconds), cancellationToken))
            {
                LogCloseTimedOut(logger, registry.Count);
                return;
            }
        }

        LogDrained(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    private async Task<bool> EndsWithinAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await registry.WhenEmpty.WaitAsync(limit, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            // The host's ShutdownTimeout ran out first (it is set above drain + close; see ShutdownExtensions).
            return false;
        }
    }

    [LoggerMessage(EventId = 1070, Level = LogLevel.Information, Message = "Shutdown: draining {Live} live calls for up to {DrainSeconds} s; new calls are refused")]
    private static partial void LogDrainStarted(ILogger logger, int live, int drainSeconds);

    [LoggerMessage(EventId = 1071, Level = LogLevel.Warning, Message = "Shutdown: {Remaining} calls still live after the drain; closing them")]
    private static partial void LogDrainTimedOut(ILogger logger, int remaining);

    [LoggerMessage(EventId = 1072, Level = LogLevel.Error, Message = "Shutdown: {Remaining} calls did not close in time")]
    private static partial void LogCloseTimedOut(ILogger logger, int remaining);

    [LoggerMessage(EventId = 1073, Level = LogLevel.Information, Message = "Shutdown: no live calls left")]
    private static partial void LogDrained(ILogger logger);
}
