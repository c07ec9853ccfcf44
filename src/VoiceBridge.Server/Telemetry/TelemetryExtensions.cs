using VoiceBridge.Server.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace VoiceBridge.Server.Telemetry;

internal static class TelemetryExtensions
{
    /// <summary>The standard variable that turns OTLP export on (all signals); per-signal variants are honoured too.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Serilog as the provider behind <c>ILogger&lt;T&gt;</c>, OpenTelemetry tracing and metrics (ActivitySource and
    /// Meter <c>VoiceBridge</c>, ASP.NET Core and HttpClient instrumentation), OTLP export when an endpoint is set, the
    /// <c>Telemetry</c> options and the upstream readiness check.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.AddMetrics();
        services.AddSingleton<VoiceBridgeMetrics>();
        services.AddSingleton<UpstreamHealth>();
        services.AddSingleton<CallTelemetryFactory>();
        services.AddSingleton<ICallObserverFactory>(provider => provider.GetRequiredService<CallTelemetryFactory>());
        services.AddHealthChecks().AddCheck<UpstreamHealthCheck>("upstream", tags: [HealthExtensions.ReadyTag]);

        var settings = new TelemetryOptions();
        configuration.GetSection(TelemetryOptions.SectionName).Bind(settings);
        var exportTraces = HasEndpoint(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var exportMetrics = HasEndpoint(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        var exportLogs = settings.ExportLogs && HasEndpoint(configuration, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");

        AddSerilog(builder);

        var otel = services.AddOpenTelemetry();
        if (string.IsNullOrEmpty(configuration["OTEL_SERVICE_NAME"]))
        {
            otel.ConfigureResource(resource => resource.AddService("voicebridge"));
        }

        otel.WithTracing(tracing =>
        {
            tracing.AddSource(VoiceBridgeActivity.SourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation();
            if (exportTraces)
            {
                tracing.AddOtlpExporter();
            }
        });
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(VoiceBridgeMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation();
            if (exportMetrics)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (exportLogs)
        {
            // Serilog hands every event on to the registered providers (writeToProviders below); this one exports.
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.AddOtlpExporter();
            });
        }

        return builder;
    }

    private static void AddSerilog(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var development = builder.Environment.IsDevelopment();
        var sinksConfigured = configuration.GetSection("Serilog:WriteTo").Exists();

        // The default providers (console, debug, event source) would print every line a second time: Serilog writes
        // the console. Providers added after this (the OTLP exporter, a test's capture) still receive every event.
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (services, logger) =>
            {
                logger.MinimumLevel.Information()
                    .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft.Extensions.Http", LogEventLevel.Warning)
                    .ReadFrom.Configuration(configuration)
                    .ReadFrom.Services(services)
                    .Enrich.FromLogContext();
                if (!sinksConfigured)
                {
                    // Compact JSON (one object a line, @tr/@sp carry the trace and span ids) for collectors; text for people.
                    _ = development
                        ? logger.WriteTo.ReadableText()
                        : logger.WriteTo.Console(new RenderedCompactJsonFormatter());
                }
            },
            preserveStaticLogger: true,
            writeToProviders: true);
    }

    private static bool HasEndpoint(ConfigurationManager configuration, string signalVariable) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]) || !string.IsNullOrWhiteSpace(configuration[signalVariable]);

    // Health probes every few seconds would be most of the traces.
    private static bool IsProbe(PathString path) => path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
