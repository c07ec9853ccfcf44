using System.Reflection;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Hosting;

/// <summary>
/// Runs the configuration checks (every <c>AddOptionsWithValidateOnStart</c> validator) before the endpoints read their
/// options, so a bad setting ends the boot one way: one log line naming the keys and exit code 1, where an exception
/// out of <c>Main</c> would print a stack trace and abort (exit 134).
/// </summary>
internal static partial class StartupChecks
{
    /// <summary>
    /// True when the configuration passes. In the server's own process a failure is logged and false is returned;
    /// hosted by another entry point (WebApplicationFactory in tests) the exception goes to that host, as it always did.
    /// </summary>
    public static bool PassesStartupChecks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        catch (Exception ex) when (Failures(ex) is { Count: > 0 } failures && Assembly.GetEntryAssembly() == typeof(StartupChecks).Assembly)
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Startup");
            var message = string.Join(" ", failures);
            LogCannotStart(logger, message);
            return false;
        }
    }

    // IStartupValidator throws the one validation exception, or an AggregateException of several.
    private static List<string> Failures(Exception error) => error switch
    {
        OptionsValidationException one => [one.Message],
        AggregateException many when many.InnerExceptions.All(inner => inner is OptionsValidationException) =>
            [.. many.InnerExceptions.Select(inner => inner.Message)],
        _ => [],
    };

    [LoggerMessage(EventId = 1001, Level = LogLevel.Critical, Message = "VoiceBridge cannot start: {Failures}")]
    private static partial void LogCannotStart(ILogger logger, string failures);
}
