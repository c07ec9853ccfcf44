using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Secure by default: outside Development the server does not start without the auth token that signatures are
/// checked with, and the public base URL (when given) must be an absolute http(s) URL without a query.
/// </summary>
internal sealed class TwilioSecurityValidator(IHostEnvironment environment) : IValidateOptions<TwilioOptions>
{
    public ValidateOptionsResult Validate(string? name, TwilioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Enabled && string.IsNullOrEmpty(options.AuthToken) && !environment.IsDevelopment())
        {
            failures.Add("Twilio:AuthToken is required outside Development (set it, or TWILIO_AUTH_TOKEN); "
                + "without it Twilio signatures cannot be checked. Set Twilio:Enabled=false for a browser-only bridge.");
        }

        if (options.PublicBaseUrl is { } url
            && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Query.Length > 0))
        {
            failures.Add($"Twilio:PublicBaseUrl must be an absolute http(s) URL without a query, got '{url}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
