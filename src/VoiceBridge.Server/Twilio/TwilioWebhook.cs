using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Twilio;

/// <summary><c>POST /twilio/voice</c>: checks Twilio's signature, then answers TwiML that connects the call's media stream.</summary>
internal static partial class TwilioWebhook
{
    /// <summary>Webhook bodies are a few hundred bytes of form fields; anything near this is not Twilio.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptions<TwilioOptions> options,
        CallTokens tokens,
        CallAdmission admission,
        CallRegistry registry,
        ICallDirectory directory,
        IOptions<Core.SessionOptions> sessionOptions,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(TwilioWebhook).FullName!);
        var request = context.Request;
        var settings = options.Value;
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = MaxBodyBytes;
        }

        // GET webhooks carry the parameters in the (signed) query string; POST ones in the form body.
        var parameters = new List<KeyValuePair<string, string>>();
        if (HttpMethods.IsPost(request.Method))
        {
            if (!request.HasFormContentType)
            {
                LogRejected(logger, "not a form post");
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }

            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
            {
                LogRejected(logger, "unreadable form body");
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }

            foreach (var (name, values) in form)
            {
                foreach (var value in values)
                {
                    parameters.Add(new(name, value ?? string.Empty));
                }
            }
        }

        var url = TwilioUrls.RequestUrl(request, settings);
        if (!string.IsNullOrEmpty(settings.AuthToken)
            && !TwilioSignature.IsValid(settings.AuthToken, url, parameters, request.Headers["X-Twilio-Signature"].ToString()))
        {
            LogRejected(logger, "signature does not match");
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var callSid = Find(parameters, "CallSid") ?? request.Query["CallSid"].ToString();
        if (string.IsNullOrEmpty(callSid))
        {
            LogRejected(logger, "no CallSid");
            return Results.BadRequest();
        }

        // A replay of the webhook of a live call gets no new token: the answer ends whatever sent it, never the live call
        // (Twilio does not ask again once a call is connected). A retry before the stream started still gets a token;
        // the media endpoint lets only one stream per CallSid become live. The directory knows every instance's calls.
        if (await directory.FindAsync(callSid, context.RequestAborted) is not null)
        {
            registry.CountReplayRefused();
            LogReplayRefused(logger, callSid);
            return Results.Text(Twiml.HangUp(), "text/xml", Encoding.UTF8);
        }

        if (admission.CheckAndLog("twilio") != CallRefusal.None)
        {
            if (admission.RetryElsewhere)
            {
                // Several instances behind a load balancer: a 503 lets it try another one (nginx proxy_next_upstream
                // http_503 non_idempotent; docs/scale-out.md) instead of sending the caller away busy.
                context.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            // Answered (200) rather than failed: Twilio would otherwise play its generic application-error message.
            return Results.Text(Twiml.SayAndHangUp(sessionOptions.Value.BusyMessage), "text/xml", Encoding.UTF8);
        }

        var caller = Find(parameters, "From") ?? request.Query["From"].ToString();
        var token = tokens.Mint(callSid, caller);
        LogAnswered(logger, callSid);
        return Results.Text(Twiml.ConnectStream(TwilioUrls.MediaStreamUrl(request, settings), token), "text/xml", Encoding.UTF8);
    }

    private static string? Find(List<KeyValuePair<string, string>> parameters, string name)
    {
        foreach (var (key, value) in parameters)
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Twilio webhook rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Twilio webhook for live call {CallSid} answered with Hangup and no token (replayed)")]
    private static partial void LogReplayRefused(ILogger logger, string callSid);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Twilio call {CallSid} answered with a media stream")]
    private static partial void LogAnswered(ILogger logger, string callSid);
}
