using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Runtype.Api.Auth;
using Runtype.Api.Http;
using Runtype.Api.OpenApi;
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
using Runtype.Domain.Webhooks;

namespace Runtype.Api.Webhooks;

/// <summary>
/// Webhook endpoints and their deliveries (contract §7). Bind, send, translate: nothing else. The attributes are the
/// OpenAPI description too (docs/openapi.md): the errors and headers every call of a kind has are added by
/// <c>OperationConventions</c>; an action names only its own.
/// </summary>
[ApiController]
[Route(BasePath)]
[Description("Webhook endpoints, which receive signed messages when sessions change, and their deliveries.")]
[Produces("application/json")]
public sealed class WebhooksController(ISender sender) : ControllerBase
{
    public const string BasePath = "v1/webhooks/endpoints";

    private const string ReplayedDescription = "\"true\" when this answer is the stored answer to an earlier request with the same Idempotency-Key.";

    /// <summary>Register a webhook endpoint; the answer carries its signing secret, shown only here.</summary>
    /// <remarks>
    /// `url` is an absolute https URL (at most 2048 characters) whose host is not, and does not resolve to, a loopback,
    /// private, link-local or unspecified address. `eventTypes` lists the types to receive (absent or empty: all).
    /// </remarks>
    [HttpPost]
    [EndpointName("createWebhookEndpoint")]
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
    [EndpointName("listWebhookEndpoints")]
    [Authorize(Policy = CallerClaims.WebhooksReadPolicy)]
    [ProducesResponseType<WebhookEndpointPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public async Task<ActionResult<WebhookEndpointPage>> List(
        [FromQuery, Range(1, ListSessions.MaxLimit), DefaultValue(ListSessions.DefaultLimit)] int? limit,
        [FromQuery, Range(0, int.MaxValue), DefaultValue(0)] int? offset,
        CancellationToken cancellationToken) =>
        await sender.Send(new ListWebhookEndpoints(User.ToCaller(), limit ?? ListSessions.DefaultLimit, offset ?? 0), cancellationToken);

    /// <summary>Get a webhook endpoint (without its secret).</summary>
    [HttpGet("{id:uuid}")]
    [EndpointName("getWebhookEndpoint")]
    [Authorize(Policy = CallerClaims.WebhooksReadPolicy)]
    [ProducesResponseType<WebhookEndpointDto>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<WebhookEndpointDto>> Get(Guid id, CancellationToken cancellationToken) =>
        await sender.Send(new GetWebhookEndpoint(User.ToCaller(), id), cancellationToken);

    /// <summary>Update a webhook endpoint: url, eventTypes, description, enabled.</summary>
    /// <remarks>Enabling a disabled endpoint clears its failure state; disabling one fails its pending deliveries.</remarks>
    [HttpPatch("{id:uuid}")]
    [EndpointName("updateWebhookEndpoint")]
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
    [HttpDelete("{id:uuid}")]
    [EndpointName("deleteWebhookEndpoint")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IActionResult> Delete(Guid id, CancellationToken cancellationToken)
    {
        await sender.Send(new DeleteWebhookEndpoint(User.ToCaller(), id), cancellationToken);
        return NoContent();
    }

    /// <summary>Rotate the signing secret; the previous one keeps signing (a second v1 signature) for 24 hours.</summary>
    [HttpPost("{id:uuid}/rotate-secret")]
    [EndpointName("rotateWebhookSecret")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType<WebhookSecretDto>(StatusCodes.Status200OK)]
    [ResponseHeader(IdempotentReplayHeader.HeaderName, ReplayedDescription, StatusCodes.Status200OK, Required = false, Pattern = "^true$")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<ActionResult<WebhookSecretDto>> RotateSecret(
        Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        await sender.Send(new RotateWebhookSecret(User.ToCaller(), id, idempotencyKey), cancellationToken);

    /// <summary>Send a webhook.test message to the endpoint now.</summary>
    [HttpPost("{id:uuid}/test")]
    [EndpointName("sendTestWebhook")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType<WebhookDeliveryDto>(StatusCodes.Status202Accepted)]
    [ResponseHeader(IdempotentReplayHeader.HeaderName, ReplayedDescription, StatusCodes.Status202Accepted, Required = false, Pattern = "^true$")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<ActionResult<WebhookDeliveryDto>> SendTest(
        Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        Accepted(await sender.Send(new SendTestWebhook(User.ToCaller(), id, idempotencyKey), cancellationToken));

    /// <summary>List an endpoint's deliveries, newest first.</summary>
    /// <remarks>`status` filters: pending, succeeded or failed. `limit` is 1–100 (default 20), `offset` 0 or more.</remarks>
    [HttpGet("{id:uuid}/deliveries")]
    [EndpointName("listWebhookDeliveries")]
    [Authorize(Policy = CallerClaims.WebhooksReadPolicy)]
    [ProducesResponseType<WebhookDeliveryPage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<ActionResult<WebhookDeliveryPage>> ListDeliveries(
        Guid id,
        [FromQuery, EnumDataType(typeof(WebhookDeliveryStatus))] string? status,
        [FromQuery, Range(1, ListSessions.MaxLimit), DefaultValue(ListSessions.DefaultLimit)] int? limit,
        [FromQuery, Range(0, int.MaxValue), DefaultValue(0)] int? offset,
        CancellationToken cancellationToken) =>
        await sender.Send(new ListWebhookDeliveries(User.ToCaller(), id, status, limit ?? ListSessions.DefaultLimit, offset ?? 0), cancellationToken);

    /// <summary>Attempt a delivery again now, also a failed one.</summary>
    /// <remarks>While an attempt of it is in flight, 409: retry once that attempt has ended.</remarks>
    [HttpPost("{id:uuid}/deliveries/{deliveryId:uuid}/retry")]
    [EndpointName("retryWebhookDelivery")]
    [Authorize(Policy = CallerClaims.WebhooksWritePolicy)]
    [ProducesResponseType<WebhookDeliveryDto>(StatusCodes.Status202Accepted)]
    [ResponseHeader(IdempotentReplayHeader.HeaderName, ReplayedDescription, StatusCodes.Status202Accepted, Required = false, Pattern = "^true$")]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<ActionResult<WebhookDeliveryDto>> RetryDelivery(
        Guid id, Guid deliveryId, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken) =>
        Accepted(await sender.Send(new RetryWebhookDelivery(User.ToCaller(), id, deliveryId, idempotencyKey), cancellationToken));
}
