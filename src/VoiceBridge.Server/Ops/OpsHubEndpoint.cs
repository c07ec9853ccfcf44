namespace VoiceBridge.Server.Ops;

/// <summary>
/// Endpoint metadata on the hub's routes: <see cref="OpsGate"/> guards exactly those endpoints, whatever spelling of the
/// path routing matched (a check on path strings could be walked around by one that routes to the same endpoint).
/// </summary>
internal sealed class OpsHubEndpoint
{
    public static OpsHubEndpoint Instance { get; } = new();
}
