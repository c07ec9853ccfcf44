using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Limits;

/// <summary>Kestrel's limits for slow and oversized clients, and the per-IP rate limit on the call endpoints.</summary>
internal static class LimitsExtensions
{
    /// <summary>The rate-limiter policy every call endpoint carries (<see cref="RequireCallRateLimit{TBuilder}"/>).</summary>
    public const string CallEndpointsPolicy = "call-endpoints";

    public static WebApplicationBuilder AddLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ConnectionLimitOptions>().BindConfiguration(ConnectionLimitOptions.SectionName);
        services.AddSingleton<IValidateOptions<ConnectionLimitOptions>, ConnectionLimitOptionsValidator>();
        var kestrelLimits = builder.Configuration.GetSection("Kestrel:Limits");
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ConnectionLimitOptions>, IOptions<Core.SessionOptions>>((kestrel, connections, sessions) =>
        {
            ApplyDefaults(kestrel.Limits);
            ApplyConnectionLimits(kestrel.Limits, connections.Value, sessions.Value.MaxConcurrentCalls);
            // Kestrel:Limits:* in configuration still wins over these defaults.
            kestrelLimits.Bind(kestrel.Limits);
        });

        services.AddOptionsWithValidateOnStart<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName);
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<AdminKeyThrottle>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var settings = configured.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                return ValueTask.CompletedTask;
            };
            // On the endpoints, not on path strings: routing matches /twilio/voice/ and /TWILIO/VOICE to the same
            // endpoint, so whatever spelling reaches a handler carries its policy. One policy: one bucket per IP
            // shared by all call endpoints.
            limiter.AddPolicy(CallEndpointsPolicy, context => Partition(context, settings));
        });
        return builder;
    }

    public static WebApplication UseLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Puts the endpoint under the per-IP call-endpoint limit (<c>Session:RateLimit</c>).</summary>
    public static TBuilder RequireCallRateLimit<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder => endpoint.RequireRateLimiting(CallEndpointsPolicy);

    // Chosen for this workload: Twilio's requests carry a few KiB of headers and form bodies under 64 KiB; the
    // client-secrets body is tiny; the admin API answers, it does not take uploads. WebSocket traffic after the
    // upgrade is not subject to these limits (each leg caps its own messages).
    internal static void ApplyDefaults(KestrelServerLimits limits)
    {
        limits.MaxRequestHeadersTotalSize = 32 * 1024;
        limits.MaxRequestHeaderCount = 64;
        limits.MaxRequestLineSize = 8 * 1024;
        limits.MaxRequestBodySize = 1024 * 1024;
        // A client that has not finished its headers in 10 s is a slowloris, not Twilio (its requests take milliseconds).
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        // Bodies and responses slower than 240 B/s after a 5 s grace are cut (Kestrel's own figures, stated explicitly).
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
    }

    // Without these Kestrel holds any number of connections, each silent one for the keep-alive timeout: 3,000 idle
    // sockets were held for about 62 s.
    internal static void ApplyConnectionLimits(KestrelServerLimits limits, ConnectionLimitOptions connections, int maxConcurrentCalls)
    {
        limits.MaxConcurrentConnections = connections.MaxConnectionsFor(maxConcurrentCalls);
        limits.MaxConcurrentUpgradedConnections = connections.MaxUpgradedConnectionsFor(maxConcurrentCalls);
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(connections.IdleTimeoutSeconds);
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions settings)
    {
        if (!settings.Enabled)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / settings.PermitsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
