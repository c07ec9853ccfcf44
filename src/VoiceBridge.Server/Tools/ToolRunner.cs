using System.Diagnostics;
using System.Text.Json;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// Runs one call's server-side tool calls. A call is started on <c>response.function_call_arguments.done</c> or, if
/// that was missed, on the function_call item in <c>response.done</c> (deduplicated by <c>call_id</c>); it runs off the
/// upstream receive loop so audio never waits for a tool. Each result goes upstream as a <c>function_call_output</c>
/// item as soon as it is ready; once the response is done and every call of it is answered — parallel calls included —
/// <see cref="ToolsAnswered"/> fires once, and its owner sends the one <c>response.create</c>
/// (docs/protocols/openai-realtime.md#function-calls). Thread-safe: the upstream loop reports events while tool tasks
/// complete.
/// </summary>
internal sealed partial class ToolRunner
{
    private readonly ToolCatalog _catalog;
    private readonly Func<RealtimeEvent, ValueTask> _send;
    private readonly string _liveCallId;
    private readonly string _transport;
    private readonly bool _answerUnknownTools;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResponseCalls> _responses = new(StringComparer.Ordinal);
    private readonly CancellationToken _ending;
    private readonly Func<string, string?, Activity?>? _startSpan;
    private readonly ICallObserver? _observers;
    private readonly TimeProvider _time;
    private int _running;

    /// <param name="catalog">The server's tools.</param>
    /// <param name="send">Sends a client event upstream.</param>
    /// <param name="liveCallId">The call's id, handed to tools.</param>
    /// <param name="transport"><c>twilio</c> or <c>browser</c>.</param>
    /// <param name="answerUnknownTools">
    /// True on phone calls, where nobody else could answer a call of an unknown tool (it gets an error output); false on
    /// browser calls, whose client may define and answer its own tools.
    /// </param>
    /// <param name="logger">Tool call log lines.</param>
    /// <param name="ending">Cancelled when the call ends: running tools are abandoned.</param>
    /// <param name="startSpan">Starts a tool call's span under the call's span (name, call id); null when untraced.</param>
    /// <param name="observers">The call's observers: each tool call's start, duration and outcome (the operations feed); null: none.</param>
    /// <param name="time">Times tool calls for <paramref name="observers"/>.</param>
    public ToolRunner(
        ToolCatalog catalog,
        Func<RealtimeEvent, ValueTask> send,
        string liveCallId,
        string transport,
        bool answerUnknownTools,
        ILogger logger,
        CancellationToken ending,
        Func<string, string?, Activity?>? startSpan = null,
        ICallObserver? observers = null,
        TimeProvider? time = null)
    {
        _startSpan = startSpan;
        _observers = observers;
        _time = time ?? TimeProvider.System;
        _catalog = catalog;
        _send = send;
        _liveCallId = liveCallId;
        _transport = transport;
        _answerUnknownTools = answerUnknownTools;
        _logger = logger;
        _ending = ending;
    }

    /// <summary>All calls of a response are answered: the results, and whether the response completed (not cancelled or failed).</summary>
    public event Func<IReadOnlyList<ToolResult>, bool, ValueTask>? ToolsAnswered;

    /// <summary>Tool calls started and not yet answered.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Whether a function call named <paramref name="name"/> is answered by this server (else it belongs to the client).</summary>
    public bool IsServerTool(string? name) => name is not null && (_answerUnknownTools || _catalog.Find(name) is not null);

    /// <summary><c>response.function_call_arguments.done</c>: run the call now.</summary>
    public void OnArgumentsDone(ResponseFunctionCallArgumentsDoneEvent done)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (done.CallId is { } callId && done.ResponseId is { } responseId && IsServerTool(done.Name))
        {
            Start(responseId, callId, done.Name!, done.Arguments);
        }
    }

    /// <summary><c>response.done</c>: starts calls not seen yet, then answers the response once all its calls are.</summary>
    public void OnResponseDone(ResponseDoneEvent done)
    {
        ArgumentNullException.ThrowIfNull(done);
        if (done.Response is not { Id: { } responseId } response)
        {
            return;
        }

        var completed = response.Status is null or RealtimeResponse.Completed;
        foreach (var item in response.Output ?? [])
        {
            // A cancelled response's call may hold half its arguments: only a completed response's missed calls run.
            if (item.Type == RealtimeItem.FunctionCallType && item.CallId is { } callId && IsServerTool(item.Name) && completed)
            {
                Start(responseId, callId, item.Name!, item.Arguments);
            }
        }

        ResponseCalls? finished;
        lock (_gate)
        {
            if (!_responses.TryGetValue(responseId, out finished))
            {
                return;
            }

            finished.Done = true;
            finished.Completed = completed;
            if (finished.Pending > 0)
            {
                return;
            }

            _responses.Remove(responseId);
        }

        _ = AnsweredAsync(finished);
    }

    private void Start(string responseId, string callId, string name, string? arguments)
    {
        lock (_gate)
        {
            if (!_seen.Add(callId))
            {
                return;
            }

            if (!_responses.TryGetValue(responseId, out var calls))
            {
                calls = new ResponseCalls();
                _responses[responseId] = calls;
            }

            calls.Pending++;
        }

        Interlocked.Increment(ref _running);
        _ = Task.Run(() => RunAsync(responseId, callId, name, arguments), CancellationToken.None);
    }

    private async Task RunAsync(string responseId, string callId, string name, string? arguments)
    {
        ToolResult result;
        var started = _time.GetTimestamp();
        var reported = false;
        _observers?.OnToolCallStarted(name, callId);
        try
        {
            result = await InvokeAsync(callId, name, arguments);
            LogToolAnswered(_logger, _liveCallId, name, callId, result.Succeeded);
            _observers?.OnToolCallEnded(name, callId, _time.GetElapsedTime(started), result.Succeeded ? ToolCallOutcome.Succeeded : ToolCallOutcome.Failed);
            reported = true;
            await _send(new ConversationItemCreateEvent { Item = RealtimeItem.FunctionCallOutput(callId, result.Output) });
        }
        catch (OperationCanceledException) when (_ending.IsCancellationRequested)
        {
            // The call ended while the tool ran: nobody is left to answer.
            if (!reported)
            {
                _observers?.OnToolCallEnded(name, callId, _time.GetElapsedTime(started), ToolCallOutcome.Abandoned);
            }

            return;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }

        ResponseCalls? finished = null;
        lock (_gate)
        {
            if (_responses.TryGetValue(responseId, out var calls))
            {
                calls.Results.Add(result);
                if (--calls.Pending == 0 && calls.Done)
                {
                    _responses.Remove(responseId);
                    finished = calls;
                }
            }
        }

        if (finished is not null)
        {
            await AnsweredAsync(finished);
        }
    }

    private async ValueTask<ToolResult> InvokeAsync(string callId, string name, string? arguments)
    {
        // One span per tool call, current while the tool runs, so its HTTP request carries the call's trace context.
        using var span = _startSpan?.Invoke(name, callId);
        var result = await InvokeUntracedAsync(callId, name, arguments);
        if (!result.Succeeded)
        {
            span?.SetStatus(ActivityStatusCode.Error, "tool call failed");
        }

        return result;
    }

    private async ValueTask<ToolResult> InvokeUntracedAsync(string callId, string name, string? arguments)
    {
        if (_catalog.Find(name) is not { } tool)
        {
            return ToolResult.Failure($"There is no tool named '{name}'.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrEmpty(arguments) ? "{}" : arguments);
        }
        catch (JsonException)
        {
            LogInvalidArguments(_logger, _liveCallId, name, "not valid JSON");
            return ToolResult.Failure($"The arguments for {name} were not valid JSON; call it again with a JSON object.");
        }

        using (document)
        {
            if (JsonSchemaValidator.Validate(tool.Parameters, document.RootElement) is { } problem)
            {
                LogInvalidArguments(_logger, _liveCallId, name, problem);
                return ToolResult.Failure($"The arguments for {name} were invalid: {problem}. Ask the caller for what is missing, then call {name} again.");
            }

            try
            {
                return await tool.InvokeAsync(new ToolCall(callId, name, document.RootElement.Clone(), _liveCallId, _transport), _ending);
            }
            catch (OperationCanceledException) when (_ending.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A tool registered in code may throw anything; the model still gets an answer and the turn goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogToolFailed(_logger, _liveCallId, name, ex);
                return ToolResult.Failure($"The {name} tool failed.");
            }
        }
    }

    private async Task AnsweredAsync(ResponseCalls calls)
    {
        if (ToolsAnswered is { } handler && !_ending.IsCancellationRequested)
        {
            try
            {
                await handler(calls.Results, calls.Completed);
            }
            catch (OperationCanceledException) when (_ending.IsCancellationRequested)
            {
            }
        }
    }

    [LoggerMessage(EventId = 1610, Level = LogLevel.Information, Message = "Call {CallId}: tool {Tool} ({ToolCallId}) answered, succeeded: {Succeeded}")]
    private static partial void LogToolAnswered(ILogger logger, string callId, string tool, string toolCallId, bool succeeded);

    [LoggerMessage(EventId = 1611, Level = LogLevel.Warning, Message = "Call {CallId}: tool {Tool} called with invalid arguments: {Problem}")]
    private static partial void LogInvalidArguments(ILogger logger, string callId, string tool, string problem);

    [LoggerMessage(EventId = 1612, Level = LogLevel.Error, Message = "Call {CallId}: tool {Tool} threw")]
    private static partial void LogToolFailed(ILogger logger, string callId, string tool, Exception exception);

    private sealed class ResponseCalls
    {
        public List<ToolResult> Results { get; } = [];

        public int Pending { get; set; }

        public bool Done { get; set; }

        public bool Completed { get; set; }
    }
}
