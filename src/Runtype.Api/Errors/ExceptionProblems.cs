using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Runtype.Api.Http;
using Runtype.Application.Common;
using Runtype.Application.Common.Idempotency;
using Runtype.Application.Sessions.StreamSessionEvents;
using Runtype.Domain.Common;
using Runtype.Domain.Sessions;
using Runtype.Domain.Webhooks;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Errors;

/// <summary>
/// The one place where failures become HTTP: validation failures, domain errors, not-found, preconditions and
/// framework exceptions each map to their status and problem; anything else is a logged 500 with no details.
/// </summary>
public sealed partial class ExceptionProblems(IProblemDetailsService problemDetails, DatabaseFailures databaseFailures, ILogger<ExceptionProblems> logger)
    : IExceptionHandler
{
    private const string RetryAfterSeconds = "1";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return true;
        }

        var problem = ToProblem(exception);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, ApiProblems.TraceIdOf(httpContext), exception.GetBaseException().Message);
        }

        if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path, ApiProblems.TraceIdOf(httpContext));
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (exception is TooManyStreamsException tooMany)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private ProblemDetails ToProblem(Exception exception) => exception switch
    {
        ValidationException validation => ApiProblems.Validation(validation.Errors
            .GroupBy(e => e.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal)),
        InvalidProductObject invalid => ApiProblems.Validation(new Dictionary<string, string[]> { ["productObject"] = [invalid.Message] }),
        ReservedEventType reserved => ApiProblems.Validation(new Dictionary<string, string[]> { ["type"] = [reserved.Message] }),
        NotFoundException notFound => ApiProblems.Create(StatusCodes.Status404NotFound, notFound.Message, "not_found"),
        PreconditionFailedException stale => PreconditionFailed(stale),
        InvalidStatusTransition transition => Transition(transition),
        SessionIsReadOnly readOnly => With(
            ApiProblems.Create(StatusCodes.Status409Conflict, readOnly.Message, "session_read_only", "Session is read-only"),
            ("currentStatus", readOnly.Status.ToWire())),
        SessionExpired expired => With(
            ApiProblems.Create(StatusCodes.Status409Conflict, expired.Message, "session_expired", "Session has expired"),
            ("currentStatus", SessionStatus.Expired.ToWire()),
            ("expiresAt", expired.ExpiresAt)),
        ProductObjectHashMismatch mismatch => With(
            ApiProblems.Create(StatusCodes.Status409Conflict, mismatch.Message, "product_object_hash_mismatch", "productObjectHash mismatch"),
            ("productObjectHash", mismatch.Actual)),
        TooManyStreamsException tooMany => With(
            ApiProblems.Create(StatusCodes.Status429TooManyRequests, tooMany.Message, "too_many_streams", "Too many live streams"),
            ("limit", tooMany.Limit)),
        IdempotencyKeyReusedException reused => ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, reused.Message, "idempotency_key_reused"),
        WebhookDeliveryInProgress inProgress => ApiProblems.Create(StatusCodes.Status409Conflict, inProgress.Message, "delivery_in_progress", "Delivery in progress"),
        ConcurrencyConflictException conflict => ApiProblems.Create(StatusCodes.Status409Conflict, conflict.Message, "concurrent_update"),
        DomainException domain => ApiProblems.Create(StatusCodes.Status409Conflict, domain.Message, "conflict"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ApiProblems.Create(
            StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {RequestBodyLimit.MaxBytes} bytes (1 MiB).", "body_too_large"),
        BadHttpRequestException badRequest => ApiProblems.Create(badRequest.StatusCode, "The request could not be read."),
        _ when databaseFailures.IsUnavailable(exception) => ApiProblems.Create(
            StatusCodes.Status503ServiceUnavailable, "The database is temporarily unavailable. Retry later; nothing was changed.", "database_unavailable"),
        _ => ApiProblems.Create(StatusCodes.Status500InternalServerError, "An unexpected error occurred. Quote the traceId when you report it.", "internal_error"),
    };

    private static ProblemDetails Transition(InvalidStatusTransition transition)
    {
        var allowed = transition.Allowed.Select(s => s.ToWire()).ToArray();
        var detail = $"{transition.Message} Allowed next statuses: {(allowed.Length == 0 ? "none" : string.Join(", ", allowed))}.";
        return With(
            ApiProblems.Create(StatusCodes.Status409Conflict, detail, "invalid_status_transition", "Invalid status transition"),
            ("currentStatus", transition.From.ToWire()),
            ("requestedStatus", transition.To.ToWire()),
            ("allowedStatuses", allowed));
    }

    private static ProblemDetails PreconditionFailed(PreconditionFailedException stale)
    {
        // In the body: the exception-handler middleware strips cache headers (ETag included) from error responses.
        var etag = ETags.Format(stale.CurrentVersion);
        return With(
            ApiProblems.Create(StatusCodes.Status412PreconditionFailed, $"{stale.Message} Its current ETag is {etag}.", "precondition_failed"),
            ("currentETag", etag));
    }

    private static ProblemDetails With(ProblemDetails problem, params (string Name, object? Value)[] members)
    {
        foreach (var (name, value) in members)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path} (traceId {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable on {Method} {Path} (traceId {TraceId}): {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string traceId, string reason);
}
