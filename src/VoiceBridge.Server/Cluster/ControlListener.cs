using System.Text.Json;
using StackExchange.Redis;
using VoiceBridge.Server.Calls;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// This instance's end of control routing: runs the actions other instances send for its calls (checked and audited
/// here, by <see cref="CallControlExecutor.RunLocalAsync"/>) and answers them, and hands answers to its own requests to
/// <see cref="RedisControlRouter"/>. StackExchange.Redis resubscribes by itself after a reconnect.
/// </summary>
internal sealed partial class ControlListener(
    ClusterRedis redis,
    CallControlExecutor executor,
    RedisControlRouter router,
    ILogger<ControlListener> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = redis.Connection.GetSubscriber();
        await subscriber.SubscribeAsync(redis.Channel("control:" + redis.InstanceId), (channel, message) =>
        {
            _ = RunAsync(message);
        }).ConfigureAwait(false);
        await subscriber.SubscribeAsync(redis.Channel("control-reply:" + redis.InstanceId), (channel, message) =>
        {
            if (Read(message, ClusterJsonContext.Default.ControlReply) is { } reply)
            {
                router.Complete(reply);
            }
        }).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (redis.IsConnected)
        {
            await redis.Connection.GetSubscriber().UnsubscribeAllAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync(RedisValue message)
    {
        if (Read(message, ClusterJsonContext.Default.ControlEnvelope) is not { } envelope)
        {
            return;
        }

        ControlOutcome outcome;
        try
        {
            outcome = await executor.RunLocalAsync(envelope.Command, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The asking instance gets a 500 rather than a timeout; the failure is logged here.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, envelope.Command.CallId, envelope.Command.Action, ex);
            outcome = new ControlOutcome(StatusCodes.Status500InternalServerError, Error: "The call's owner failed to carry out the action.");
        }

        try
        {
            var reply = JsonSerializer.Serialize(new ControlReply(envelope.RequestId, outcome), ClusterJsonContext.Default.ControlReply);
            await redis.Connection.GetSubscriber().PublishAsync(redis.Channel("control-reply:" + envelope.ReplyTo), reply).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            LogReplyLost(logger, envelope.Command.CallId, ex.Message);
        }
    }

    private static T? Read<T>(RedisValue message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return message.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)message!, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1850, Level = LogLevel.Error, Message = "Cluster: control action {Action} on call {CallId} sent by another instance failed")]
    private static partial void LogFailed(ILogger logger, string callId, string action, Exception exception);

    [LoggerMessage(EventId = 1851, Level = LogLevel.Warning, Message = "Cluster: the answer to a control action on call {CallId} was not sent ({Reason})")]
    private static partial void LogReplyLost(ILogger logger, string callId, string reason);
}
