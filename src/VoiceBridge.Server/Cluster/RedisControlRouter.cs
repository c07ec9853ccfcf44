using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;
using VoiceBridge.Server.Calls;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// Sends a control action to the call's owner over Redis pub/sub (<c>{prefix}control:{instance}</c>) and waits for its
/// answer on this instance's reply channel (<see cref="ControlListener"/> delivers it here). No subscriber on the owner's
/// channel means the owner is gone: its calls ended with it (a WebSocket cannot move), and the directory forgets them
/// within <c>Cluster:DirectoryTtlSeconds</c>.
/// </summary>
internal sealed partial class RedisControlRouter(ClusterRedis redis, ILogger<RedisControlRouter> logger) : ICallControlRouter
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ControlOutcome>> _pending = new(StringComparer.Ordinal);

    public async Task<ControlOutcome> SendAsync(string instance, CallControlCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var requestId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var answer = new TaskCompletionSource<ControlOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answer;
        try
        {
            var envelope = JsonSerializer.Serialize(new ControlEnvelope(requestId, redis.InstanceId, command), ClusterJsonContext.Default.ControlEnvelope);
            var receivers = await redis.Connection.GetSubscriber().PublishAsync(redis.Channel("control:" + instance), envelope).ConfigureAwait(false);
            if (receivers == 0)
            {
                LogOwnerGone(logger, command.CallId, instance);
                return new ControlOutcome(StatusCodes.Status410Gone,
                    Error: $"Call '{command.CallId}' was owned by instance {instance}, which is gone: its calls ended with it. The directory forgets it within Cluster:DirectoryTtlSeconds.");
            }

            return await answer.Task.WaitAsync(TimeSpan.FromMilliseconds(redis.Options.ControlTimeoutMs), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new ControlOutcome(StatusCodes.Status504GatewayTimeout, Error: $"Instance {instance}, which owns call '{command.CallId}', did not answer within Cluster:ControlTimeoutMs.");
        }
        catch (RedisException ex)
        {
            LogUnreachable(logger, command.CallId, ex.Message);
            return new ControlOutcome(StatusCodes.Status503ServiceUnavailable, Error: $"Call '{command.CallId}' is on instance {instance}, which cannot be reached now (Cluster:Redis unreachable).");
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    /// <summary>An owner's answer arrived (from <see cref="ControlListener"/>); late answers are dropped.</summary>
    internal void Complete(ControlReply reply)
    {
        if (_pending.TryGetValue(reply.RequestId, out var answer))
        {
            answer.TrySetResult(reply.Outcome);
        }
    }

    [LoggerMessage(EventId = 1840, Level = LogLevel.Warning, Message = "Cluster: control of call {CallId} refused: its owner {Instance} is gone")]
    private static partial void LogOwnerGone(ILogger logger, string callId, string instance);

    [LoggerMessage(EventId = 1841, Level = LogLevel.Warning, Message = "Cluster: control of call {CallId} not sent: Redis unreachable ({Reason})")]
    private static partial void LogUnreachable(ILogger logger, string callId, string reason);
}
