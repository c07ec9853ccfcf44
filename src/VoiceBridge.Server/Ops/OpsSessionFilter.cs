namespace VoiceBridge.Server.Ops;

/// <summary>
/// Guards the dashboard's read-back routes (<c>/ops/calls/{id}/…</c>) with the session cookie: 401 without one, 403
/// when the session's role is below <paramref name="least"/> (a viewer may read a transcript, not a trail or a recording).
/// </summary>
internal sealed class OpsSessionFilter(OpsRole least) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.RequestServices.GetRequiredService<OpsSessions>().Read(http.Request) is not { } session)
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not logged in.");
        }

        if (session.Role < least)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "A viewer key may read transcripts only.");
        }

        return await next(context);
    }
}
