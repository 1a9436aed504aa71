using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Orchestrator.Api.OpenApi;

/// <summary>Writes <see cref="ApiDocumentation"/>'s description, request body and answers into each operation.</summary>
public sealed class DocumentedOperationTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (name is null || !ApiDocumentation.Operations.TryGetValue(name, out var documented))
            return;

        operation.Description = documented.Description;
        operation.Tags = new HashSet<OpenApiTagReference> { new(documented.Tag, context.Document) };
        if (documented.JsonBody is { } bodyType)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [DocumentedResponse.Json] = new() { Schema = await context.GetOrCreateSchemaAsync(bodyType, null, cancellationToken) },
                },
            };
        }
        else if (documented.MultipartUpload)
        {
            operation.RequestBody = UploadBody();
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var response in documented.Responses)
        {
            var answer = new OpenApiResponse { Description = response.Description };
            if (response.MediaType is { } mediaType)
            {
                var schema = response.Body is { } type
                    ? await context.GetOrCreateSchemaAsync(type, null, cancellationToken)
                    : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                answer.Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema } };
            }

            operation.Responses[response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = answer;
        }
    }

    static OpenApiRequestBody UploadBody() =>
        new()
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file", "user_id", "service" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Array,
                                Description = "The job's files; one must be run.sh.",
                                Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                            },
                            ["user_id"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The portal's user id (0 or more)." },
                            ["service"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A service configured under Orchestrator:Services." },
                        },
                    },
                },
            },
        };
}
