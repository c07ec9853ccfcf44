using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Cluster;

internal static class ClusterExtensions
{
    /// <summary>The response header naming the instance that answered (with <c>Cluster:Redis</c> only).</summary>
    public const string InstanceHeader = "X-VoiceBridge-Instance";

    /// <summary>
    /// With <c>Cluster:Redis</c>: the shared implementations of the seams the features own (single-use nonces, the call
    /// directory, control routing, outbound instructions, Postgres recordings), readiness on Redis and on capacity, and
    /// 503 answers the load balancer retries elsewhere. Without it nothing is registered: one instance, in memory.
    /// </summary>
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ClusterOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section[nameof(ClusterOptions.Redis)]))
        {
            return builder;
        }

        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ClusterOptions>().Bind(section).PostConfigure(options =>
        {
            // The pod's name in Kubernetes; the process id tells apart instances on one machine.
            if (string.IsNullOrEmpty(options.InstanceId))
            {
                options.InstanceId = $"{Environment.MachineName}-{Environment.ProcessId}";
            }
        });
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsAnnotations>();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterSettingsValidator>();
        services.AddOptions<AuditOptions>().PostConfigure(options => options.Recordings ??= options.Sink);

        services.AddSingleton<ClusterRedis>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterRedis>());
        services.Replace(ServiceDescriptor.Singleton<ISingleUseNonceStore, RedisNonceStore>());
        services.Replace(ServiceDescriptor.Singleton<IReplayGuard, SharedReplayGuard>());
        services.AddSingleton<RedisCallDirectory>();
        services.Replace(ServiceDescriptor.Singleton<ICallDirectory>(provider => provider.GetRequiredService<RedisCallDirectory>()));
        services.AddSingleton<DirectoryKeeper>();
        services.AddSingleton<ICallObserverFactory>(provider => provider.GetRequiredService<DirectoryKeeper>());
        services.AddHostedService(provider => provider.GetRequiredService<DirectoryKeeper>());
        services.AddSingleton<RedisControlRouter>();
        services.Replace(ServiceDescriptor.Singleton<ICallControlRouter>(provider => provider.GetRequiredService<RedisControlRouter>()));
        services.AddHostedService<ControlListener>();
        services.Replace(ServiceDescriptor.Singleton<IOutboundInstructions, RedisOutboundInstructions>());

        services.AddSingleton<IAdmissionCheck, RedisAdmissionCheck>();
        services.Configure<AdmissionOptions>(options => options.RetryElsewhere = true);
        services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthExtensions.ReadyTag])
            .AddCheck<CapacityHealthCheck>("capacity", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>With <c>Cluster:Redis</c>, every response names the instance that answered it (<see cref="InstanceHeader"/>).</summary>
    public static WebApplication UseCluster(this WebApplication app)
    {
        if (app.Services.GetService<IOptions<ClusterOptions>>()?.Value is not { Enabled: true } options)
        {
            return app;
        }

        var instance = options.InstanceId!;
        app.Use((context, next) =>
        {
            context.Response.Headers[InstanceHeader] = instance;
            return next(context);
        });
        return app;
    }
}
