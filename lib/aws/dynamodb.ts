/** The DynamoDB clients (the Runway table), created on first use per region. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { clientSettings, regional } from "./shared.ts";

export const dynamoDbClient = /* @__PURE__ */ regional("dynamodb", (region) => new DynamoDBClient({ ...clientSettings(region) }));

/** DynamoDB with plain JavaScript values (lib-dynamodb), over the same client. */
export const documentClient = /* @__PURE__ */ regional("dynamodb-document", (region) =>
  DynamoDBDocumentClient.from(dynamoDbClient(region), { marshallOptions: { removeUndefinedValues: true } }),
);
