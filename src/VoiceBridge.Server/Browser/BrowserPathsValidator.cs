using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Browser;

/// <summary>Stops the boot on a <c>Browser:ClientMayChange</c> entry that names no session field (a typo would silently allow nothing).</summary>
internal sealed class BrowserPathsValidator : IValidateOptions<BrowserOptions>
{
    public ValidateOptionsResult Validate(string? name, BrowserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.ClientMayChangePaths().Where(path => !SessionFieldFilter.KnownPaths.Contains(path)).ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Browser:ClientMayChange names unknown session fields: {string.Join(", ", unknown)}. Known: {string.Join(", ", SessionFieldFilter.KnownPaths.Order(StringComparer.Ordinal))}.");
    }
}
