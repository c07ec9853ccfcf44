using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace VoiceBridge.Server.Twilio;

internal static class TwilioRestExtensions
{
    /// <summary>Per attempt: Twilio answers call updates in well under a second; a stuck request must not hold a transfer.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The typed <see cref="TwilioRestClient"/> at <c>Twilio:ApiBaseUrl</c>, with a timeout per attempt and one retry on
    /// 5xx or a failed connection. Creating a call (<c>Calls.json</c>) is never retried: the first attempt may have
    /// placed the call even though its answer was lost, and a retry would ring the callee twice.
    /// </summary>
    public static IServiceCollection AddTwilioRest(this IServiceCollection services)
    {
        services.AddHttpClient<TwilioRestClient>((provider, client) =>
            {
                var baseUrl = provider.GetRequiredService<IOptions<TwilioOptions>>().Value.ApiBaseUrl;
                client.BaseAddress = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
            })
            .AddResilienceHandler("twilio-rest", pipeline =>
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 1,
                    Delay = TimeSpan.FromMilliseconds(200),
                    BackoffType = DelayBackoffType.Constant,
                    UseJitter = false,
                    ShouldHandle = args =>
                    {
                        var request = args.Context.GetRequestMessage();
                        var creates = request?.RequestUri?.OriginalString.EndsWith("/Calls.json", StringComparison.Ordinal) ?? true;
                        var retryable = args.Outcome.Exception is HttpRequestException
                            || args.Outcome.Result is { StatusCode: >= System.Net.HttpStatusCode.InternalServerError };
                        return ValueTask.FromResult(retryable && !creates);
                    },
                });
                pipeline.AddTimeout(AttemptTimeout);
            });
        return services;
    }
}
