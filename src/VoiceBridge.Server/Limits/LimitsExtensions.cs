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
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            ApplyDefaults(kestrel.Limits);
            // Kestrel:Limits:* in configuration still wins over these defaults.
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
        });

        var services = builder.Services;
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
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
        // Bodies and responses slower than 240 B/s after a 5 s grace are cut (Kestrel's own figures, stated explicitly).
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
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
