using Microsoft.Extensions.Options;
using StackExchange.Redis;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Browser;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// What several instances must agree on before the first one starts: a Redis connection string that parses, the trail
/// in the shared Postgres sink, and the token secrets set (so a token minted by one instance is checked by another).
/// Reachability is not checked here: an instance whose Redis is down starts not ready and becomes ready when it connects.
/// </summary>
internal sealed class ClusterSettingsValidator(IOptions<AuditOptions> audit, IOptions<TwilioOptions> twilio, IOptions<BrowserOptions> browser)
    : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        try
        {
            if (ConfigurationOptions.Parse(options.Redis!).EndPoints.Count == 0)
            {
                failures.Add("Cluster:Redis names no server (host:port[,password=…][,ssl=true]).");
            }
        }
        catch (ArgumentException ex)
        {
            // The message names the part that does not parse, never the password.
            failures.Add("Cluster:Redis is not a StackExchange.Redis connection string (host:port[,password=…][,ssl=true]): " + ex.Message);
        }

        if (audit.Value.Sink != AuditSinkKind.Postgres)
        {
            failures.Add("Cluster:Redis is set (several instances), so Audit:Sink must be Postgres: with files each instance could read back only its own calls' trails.");
        }

        if (twilio.Value.Enabled && string.IsNullOrEmpty(twilio.Value.CallTokenSecret ?? twilio.Value.AuthToken))
        {
            failures.Add("Cluster:Redis is set, so Twilio:CallTokenSecret (or Twilio:AuthToken) must be set, the same on every instance: a call token minted by one is checked by another.");
        }

        if (browser.Value.Enabled && string.IsNullOrEmpty(browser.Value.TokenSecret))
        {
            failures.Add("Cluster:Redis is set, so Browser:TokenSecret must be set, the same on every instance: a client token minted by one is checked by another.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
