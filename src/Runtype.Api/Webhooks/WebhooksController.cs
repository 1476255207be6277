using System.ComponentModel.DataAnnotations;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Runtype.Api.Auth;
using Runtype.Application.Sessions.ListSessions;
using Runtype.Application.Webhooks;
using Runtype.Application.Webhooks.CreateWebhookEndpoint;
using Runtype.Application.Webhooks.DeleteWebhookEndpoint;
using Runtype.Application.Webhooks.GetWebhookEndpoint;
using Runtype.Application.Webhooks.ListWebhookDeliveries;
using Runtype.Application.Webhooks.ListWebhookEndpoints;
using Runtype.Application.Webhooks.RetryWebhookDelivery;
using Runtype.Application.Webhooks.RotateWebhookSecret;
using Runtype.Application.Webhooks.SendTestWebhook;
using Runtype.Application.Webhooks.UpdateWebhookEndpoint;

namespace Runtype.Api.Webhooks;

/// <summary>Webhook endpoints and their deliveries (contract §7). Bind, send, translate: nothing else.</summary>
[ApiController]
[Route(BasePath)]
[Produces("application/json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status500InternalServerError, "application/problem+json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
public sealed class WebhooksController(ISender sender) : ControllerBase
{
    public const string BasePath = "v1/webhooks/endpoints";

    /// <summary>Register a webhook endpoint; the answer carries its signing secret, shown only here.</summary>
    /// <remarks>
    /// `url` is an absolute https URL (at most 2048 characters) whose host is not, and does not resolve to, a loopback,
    /// private, link-local or unspecified address. `eventTypes` lists the types to receive (absent or empty: all).
    /// </remarks>
    [HttpPost]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [Consumes("application/json")]
    [ProducesResponseType<CreatedWebhookEndpointDto>(StatusCodes.Status201Created)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    public async Task<ActionResult<CreatedWebhookEndpointDto>> Create(
        [FromBody, Required] CreateWebhookEndpointRequest body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var created = await sender.Send(new CreateWebhookEndpoint(User.ToCaller(), body.Url, body.EventTypes, body.Description, idempotencyKey), cancellationToken);
        return Created($"/{BasePath}/{created.Id}", created);
    }

    /// <summary>List the caller's webhook endpoints, newest first.</summary>
    [HttpGet]
    [Authorize(Policy = CallerClaims.WebhooksReadPolicy)]
    [ProducesResponseType<WebhookEndpointPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<WebhookEndpointPage>> List([FromQuery] int? limit, [FromQuery] int? offset, CancellationToken cancellationToken) =>
        await sender.Send(new ListWebhookEndpoints(User.ToCaller(), limit ?? ListSessions.DefaultLimit, offset ?? 0), cancellationToken);

    /// <summary>Get a webhook endpoint (without its secret).</summary>
    [HttpGet("{id:guid}")]
    [Authorize(Policy = CallerClaims.WebhooksReadPolicy)]
    [ProducesResponseType<WebhookEndpointDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<WebhookEndpointDto>> Get(Guid id, CancellationToken cancellationToken) =>
        await sender.Send(new GetWebhookEndpoint(User.ToCaller(), id), cancellationToken);

    /// <summary>Update a webhook endpoint: url, eventTypes, description, enabled.</summary>
    /// <remarks>Enabling a disabled endpoint clears its failure state; disabling one fails its pending deliveries.</remarks>
    [HttpPatch("{id:guid}")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [Consumes("application/json")]
    [ProducesResponseType<WebhookEndpointDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json")]
    public async Task<ActionResult<WebhookEndpointDto>> Update(Guid id, [FromBody, Required] UpdateWebhookEndpointRequest body, CancellationToken cancellationToken) =>
        await sender.Send(new UpdateWebhookEndpoint(User.ToCaller(), id, body.Url, body.EventTypes, body.Description, body.Enabled), cancellationToken);

    /// <summary>Delete a webhook endpoint; its pending deliveries are dropped.</summary>
    [HttpDelete("{id:guid}")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Delete(Guid id, CancellationToken cancellationToken)
    {
        await sender.Send(new DeleteWebhookEndpoint(User.ToCaller(), id), cancellationToken);
        return NoContent();
    }

    /// <summary>Rotate the signing secret; the previous one keeps signing (a second v1 signature) for 24 hours.</summary>
    [HttpPost("{id:guid}/rotate-secret")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType<WebhookSecretDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<ActionResult<WebhookSecretDto>> RotateSecret(
        Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        await sender.Send(new RotateWebhookSecret(User.ToCaller(), id, idempotencyKey), cancellationToken);

    /// <summary>Send a webhook.test message to the endpoint now.</summary>
    [HttpPost("{id:guid}/test")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType<WebhookDeliveryDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<ActionResult<WebhookDeliveryDto>> SendTest(
        Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        Accepted(await sender.Send(new SendTestWebhook(User.ToCaller(), id, idempotencyKey), cancellationToken));

    /// <summary>List an endpoint's deliveries, newest first.</summary>
    /// <remarks>`status` filters: pending, succeeded or failed. `limit` is 1–100 (default 20), `offset` 0 or more.</remarks>
    [HttpGet("{id:guid}/deliveries")]
    [Authorize(Policy = CallerClaims.WebhooksReadPolicy)]
    [ProducesResponseType<WebhookDeliveryPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<WebhookDeliveryPage>> ListDeliveries(
        Guid id, [FromQuery] string? status, [FromQuery] int? limit, [FromQuery] int? offset, CancellationToken cancellationToken) =>
        await sender.Send(new ListWebhookDeliveries(User.ToCaller(), id, status, limit ?? ListSessions.DefaultLimit, offset ?? 0), cancellationToken);

    /// <summary>Attempt a delivery again now, also a failed one.</summary>
    /// <remarks>While an attempt of it is in flight, 409: retry once that attempt has ended.</remarks>
    [HttpPost("{id:guid}/deliveries/{deliveryId:guid}/retry")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType<WebhookDeliveryDto>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<ActionResult<WebhookDeliveryDto>> RetryDelivery(
        Guid id, Guid deliveryId, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        Accepted(await sender.Send(new RetryWebhookDelivery(User.ToCaller(), id, deliveryId, idempotencyKey), cancellationToken));
}
