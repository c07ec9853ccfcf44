using VoiceBridge.Server.Admission;

namespace VoiceBridge.Server.Cluster;

/// <summary>New calls wait for Redis: without it a replayed token could not be refused nor the call listed.</summary>
internal sealed class RedisAdmissionCheck(ClusterRedis redis) : IAdmissionCheck
{
    public CallRefusal Check() => redis.IsConnected ? CallRefusal.None : CallRefusal.SharedStateUnavailable;
}
