using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Limits;

/// <summary>
/// The DataAnnotations on <see cref="ConnectionLimitOptions"/>, and caps that fit <c>Session:MaxConcurrentCalls</c>: fewer
/// upgraded connections than calls would refuse admitted calls at the upgrade, after their slot was taken.
/// </summary>
internal sealed class ConnectionLimitOptionsValidator(IOptions<Core.SessionOptions> sessions) : IValidateOptions<ConnectionLimitOptions>
{
    private readonly ConnectionLimitOptionsAnnotations _annotations = new();

    public ValidateOptionsResult Validate(string? name, ConnectionLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var annotated = _annotations.Validate(name, options);
        if (annotated.Failed)
        {
            return annotated;
        }

        var calls = sessions.Value.MaxConcurrentCalls;
        var upgraded = options.MaxUpgradedConnectionsFor(calls);
        var all = options.MaxConnectionsFor(calls);
        var failures = new List<string>();
        if (upgraded < calls)
        {
            failures.Add($"Session:Connections:MaxUpgradedConnections ({upgraded}) must be at least Session:MaxConcurrentCalls ({calls}).");
        }

        if (all <= upgraded)
        {
            failures.Add($"Session:Connections:MaxConnections ({all}) must be greater than the upgraded-connection cap ({upgraded}), or webhooks find no room.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
