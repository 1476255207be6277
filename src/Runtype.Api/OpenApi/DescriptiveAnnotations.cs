using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;

namespace Runtype.Api.OpenApi;

/// <summary>
/// DataAnnotations on request members and parameters (<c>[Range]</c>, <c>[MaxLength]</c>, <c>[EnumDataType]</c>, …)
/// describe the contract in the OpenAPI document; the Application's validators enforce it, with the API's messages
/// and its one error shape. So MVC does not run them itself (two validations would answer the same mistake in two
/// ways). <c>[Required]</c> on a body parameter stays: it is how a missing body is told apart.
/// </summary>
public sealed class DescriptiveAnnotations : IValidationMetadataProvider
{
    public void CreateValidationMetadata(ValidationMetadataProviderContext context)
    {
        var keep = context.Key.MetadataKind == ModelMetadataKind.Parameter && context.Key.ParameterInfo?.ParameterType.IsClass == true;
        for (var i = context.ValidationMetadata.ValidatorMetadata.Count - 1; i >= 0; i--)
        {
            if (context.ValidationMetadata.ValidatorMetadata[i] is ValidationAttribute attribute && !(keep && attribute is RequiredAttribute))
            {
                context.ValidationMetadata.ValidatorMetadata.RemoveAt(i);
            }
        }
    }
}
