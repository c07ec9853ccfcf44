using System.Net;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Hosting;

/// <summary>Every entry of <c>ForwardedHeaders:KnownProxies</c> is an IP address and of <c>KnownNetworks</c> a CIDR network, or no boot.</summary>
internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var entry in TrustedProxyOptions.Entries(options.KnownProxies))
        {
            if (!IPAddress.TryParse(entry, out _))
            {
                failures.Add($"{TrustedProxyOptions.SectionName}:{nameof(TrustedProxyOptions.KnownProxies)}: '{entry}' is not an IP address (a proxy is named by its address, e.g. 10.0.0.5).");
            }
        }

        foreach (var entry in TrustedProxyOptions.Entries(options.KnownNetworks))
        {
            if (!IPNetwork.TryParse(entry, out _))
            {
                failures.Add($"{TrustedProxyOptions.SectionName}:{nameof(TrustedProxyOptions.KnownNetworks)}: '{entry}' is not a network in CIDR form (e.g. 10.0.0.0/8).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
