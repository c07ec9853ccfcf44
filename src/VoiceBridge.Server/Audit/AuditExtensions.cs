using VoiceBridge.Server.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Audit;

internal static class AuditExtensions
{
    /// <summary>
    /// The <c>Audit</c> options (validated at startup), the <see cref="IAuditTrail"/> sessions record into, its
    /// background writer, the configured sink and the readiness check.
    /// </summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<AuditOptions>().BindConfiguration(AuditOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditDirectoryValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditSealValidator>());

        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IAuditTrail>(provider => provider.GetRequiredService<AuditTrail>());
        services.TryAddSingleton<IAuditFileSystem, PhysicalAuditFileSystem>();
        services.AddSingleton<IAuditStore>(provider => provider.GetRequiredService<IOptions<AuditOptions>>().Value.Sink switch
        {
            AuditSinkKind.Postgres => ActivatorUtilities.CreateInstance<PostgresAuditStore>(provider),
            _ => ActivatorUtilities.CreateInstance<FileAuditStore>(provider),
        });
        services.AddHostedService<AuditWriter>();
        services.AddSingleton<IRecordingStore>(provider => provider.GetRequiredService<IOptions<AuditOptions>>().Value.Recordings switch
        {
            AuditSinkKind.Postgres => ActivatorUtilities.CreateInstance<PostgresRecordingStore>(provider),
            _ => new FileRecordingStore(provider.GetRequiredService<IOptions<AuditOptions>>().Value, provider.GetRequiredService<TimeProvider>()),
        });
        services.AddSingleton<CallRecorders>();
        services.AddSingleton<ICallObserverFactory>(provider => provider.GetRequiredService<CallRecorders>());
        services.AddSingleton<IAuditReader>(provider => provider.GetRequiredService<IOptions<AuditOptions>>().Value.Sink switch
        {
            AuditSinkKind.Postgres => ActivatorUtilities.CreateInstance<PostgresAuditReader>(provider),
            _ => ActivatorUtilities.CreateInstance<FileAuditReader>(provider),
        });
        services.AddHealthChecks().AddCheck<AuditHealthCheck>("audit", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }
}
